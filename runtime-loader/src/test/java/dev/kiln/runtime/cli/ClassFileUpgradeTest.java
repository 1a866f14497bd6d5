package dev.kiln.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The build step that raises ASM's Java 5 class files to Java 8 with frames, on the real ASM jar of the build. */
class ClassFileUpgradeTest {
    @TempDir Path dir;

    /** The asm jar this test runs with (Maven's copy), copied so that the test rewrites its own. */
    private Path asmJarCopy() throws Exception {
        Path original = Path.of(ClassReader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path copy = dir.resolve("asm.jar");
        Files.copy(original, copy);
        return copy;
    }

    private static Map<String, byte[]> entries(Path jar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                try (InputStream s = z.getInputStream(entry)) {
                    out.put(entry.getName(), s.readAllBytes());
                }
            }
        }
        return out;
    }

    @Test
    void raisesEveryOldClassKeepsEverythingElseAndTheJvmVerifiesTheResult() throws Exception {
        Path jar = asmJarCopy();
        Map<String, byte[]> before = entries(jar);
        long old = before.entrySet().stream().filter(e -> e.getKey().endsWith(".class"))
                .filter(e -> ClassFileUpgrade.majorVersion(e.getValue()) < 50).count();
        assertTrue(old > 20, "this test expects ASM's jar to hold Java 5 classes; found " + old);

        assertEquals(old, ClassFileUpgrade.upgrade(jar));
        Map<String, byte[]> after = entries(jar);
        assertEquals(List.copyOf(before.keySet()), List.copyOf(after.keySet()), "entries and their order");
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            byte[] now = after.get(e.getKey());
            if (e.getKey().endsWith(".class") && ClassFileUpgrade.majorVersion(e.getValue()) < 50) {
                assertEquals(Opcodes.V1_8, ClassFileUpgrade.majorVersion(now), e.getKey());
                assertEquals(methodsOf(e.getValue()), methodsOf(now), e.getKey() + ": the same members");
            } else {
                assertArrayEquals(e.getValue(), now, e.getKey() + " is copied byte for byte");
            }
        }
        assertEquals(0, ClassFileUpgrade.upgrade(jar), "a second run finds nothing to raise");

        // The JVM's type-checking verifier (the only one for version 52) accepts every upgraded class, and the
        // upgraded ASM still works: it reads and rewrites a class, a loop with a frame, and runs the result.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            for (String name : after.keySet()) {
                if (!name.endsWith(".class") || name.contains("module-info")) continue;
                // initialising links the class, and linking verifies it (a VerifyError fails the test)
                Class<?> c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), true, loader);
                assertEquals(loader, c.getClassLoader(), name);
            }
            Class<?> reader = loader.loadClass("org.objectweb.asm.ClassReader");
            Object r = reader.getConstructor(byte[].class).newInstance((Object) countingClass());
            assertEquals("Counting", reader.getMethod("getClassName").invoke(r));
        }
    }

    @Test
    void aClassWithSubroutinesFailsTheBuildByName() {
        ClassWriter w = new ClassWriter(0);
        w.visit(Opcodes.V1_1, Opcodes.ACC_PUBLIC, "Old", null, "java/lang/Object", null);
        MethodVisitor m = w.visitMethod(Opcodes.ACC_STATIC, "f", "()V", null, null);
        m.visitCode();
        Label sub = new Label();
        m.visitJumpInsn(Opcodes.JSR, sub);
        m.visitInsn(Opcodes.RETURN);
        m.visitLabel(sub);
        m.visitVarInsn(Opcodes.ASTORE, 0);
        m.visitVarInsn(Opcodes.RET, 0);
        m.visitMaxs(1, 1);
        m.visitEnd();
        w.visitEnd();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ClassFileUpgrade.upgradeClass("Old.class", w.toByteArray()));
        assertTrue(e.getMessage().contains("Old.class"), e.getMessage());
    }

    /** A class with a counted loop (needs a frame at its head): {@code static int count(int n)}. */
    private static byte[] countingClass() {
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        w.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, "Counting", null, "java/lang/Object", null);
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "count", "(I)I", null, null);
        m.visitCode();
        Label head = new Label();
        Label done = new Label();
        m.visitInsn(Opcodes.ICONST_0);
        m.visitVarInsn(Opcodes.ISTORE, 1);
        m.visitLabel(head);
        m.visitVarInsn(Opcodes.ILOAD, 1);
        m.visitVarInsn(Opcodes.ILOAD, 0);
        m.visitJumpInsn(Opcodes.IF_ICMPGE, done);
        m.visitIincInsn(1, 1);
        m.visitJumpInsn(Opcodes.GOTO, head);
        m.visitLabel(done);
        m.visitVarInsn(Opcodes.ILOAD, 1);
        m.visitInsn(Opcodes.IRETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    /** Names and descriptors of a class's fields and methods, in order. */
    private static List<String> methodsOf(byte[] bytes) {
        List<String> out = new ArrayList<>();
        new ClassReader(bytes).accept(new org.objectweb.asm.ClassVisitor(Opcodes.ASM9) {
            @Override
            public org.objectweb.asm.FieldVisitor visitField(int access, String name, String d, String s, Object v) {
                out.add("field " + access + " " + name + d);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String d, String s, String[] ex) {
                out.add("method " + access + " " + name + d);
                return null;
            }
        }, 0);
        return out;
    }
}
