package dev.kiln.runtime.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Build step of {@code mvn package} (runtime-loader's pom, before the class-data archive is dumped): rewrites, in
 * place, the class files of major version &lt; 50 (Java 5 and older) inside the given jars as Java 8 class files
 * (major 52) with stack map frames computed by ASM.
 *
 * <p>Why: ASM ships its classes as version 49 so that it runs on old JVMs. The JVM's class-data sharing cannot
 * archive classes older than version 50, and it checks them with the slow type-inferencing verifier, so every cold
 * {@code kiln run} loaded and verified the ~50 ASM classes the bytecode scan needs from the jars: about 45 ms of a
 * cold start of about 280 ms (measured loading those classes in a fresh C1-only JVM: 43–46 ms; 23 ms with
 * verification off). Upgraded, they go into {@code kiln-runtime.jsa} like every other class.
 *
 * <p>Invariants: the instructions, constants, attributes and members of every class are what the jar had — ASM reads
 * each class and writes it back unchanged except for its version and the frames it adds; a class that cannot be
 * rewritten exactly (old {@code jsr}/{@code ret} subroutines, a type ASM cannot resolve while computing frames) fails
 * the build with its name rather than ship a changed class. Classes of version 50 and newer ({@code module-info}) and
 * every other entry are copied byte for byte, in order, with their times. Each jar is written to a temporary file
 * beside it and then moved over it, so a failed run leaves the original. Running it twice changes nothing.
 */
public final class ClassFileUpgrade {
    /** Java 8: the oldest version whose frames the JVM type-checks and that class-data sharing archives. */
    static final int TARGET_VERSION = Opcodes.V1_8;

    private ClassFileUpgrade() {}

    /** Arguments: the jars to rewrite. Prints one line per jar with the number of classes it upgraded. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ClassFileUpgrade JAR...");
            System.exit(2);
        }
        for (String arg : args) {
            Path jar = Path.of(arg);
            int upgraded = upgrade(jar);
            System.out.println("ClassFileUpgrade: " + jar.getFileName() + ": " + upgraded
                    + " class files raised to Java 8 with stack map frames");
        }
    }

    /** Rewrites {@code jar} in place; returns how many classes it upgraded (0 leaves the file untouched). */
    static int upgrade(Path jar) throws IOException {
        Path tmp = Files.createTempFile(jar.toAbsolutePath().getParent(), jar.getFileName().toString(), ".tmp");
        int upgraded = 0;
        try (ZipFile in = new ZipFile(jar.toFile()); OutputStream file = Files.newOutputStream(tmp);
             ZipOutputStream out = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                byte[] bytes;
                try (InputStream s = in.getInputStream(entry)) {
                    bytes = s.readAllBytes();
                }
                if (entry.getName().endsWith(".class") && majorVersion(bytes) < 50) {
                    bytes = upgradeClass(entry.getName(), bytes);
                    upgraded++;
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        } catch (IOException | RuntimeException ex) {
            Files.deleteIfExists(tmp);
            throw ex;
        }
        if (upgraded == 0) {
            Files.delete(tmp);
            return 0;
        }
        try {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(jar)); // the temp file is 0600
        } catch (UnsupportedOperationException notPosix) {
            // the temporary file's default permissions stand
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return upgraded;
    }

    /** The class file's major version (bytes 6–7), or fails naming the entry when it is not a class file. */
    static int majorVersion(byte[] classFile) {
        if (classFile.length < 8 || (classFile[0] & 0xff) != 0xca || (classFile[1] & 0xff) != 0xfe
                || (classFile[2] & 0xff) != 0xba || (classFile[3] & 0xff) != 0xbe) {
            return Integer.MAX_VALUE; // not a class file: copied as it is
        }
        return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
    }

    /** {@code bytes} as a version-52 class with computed frames; fails naming {@code entry} if it cannot be. */
    static byte[] upgradeClass(String entry, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        // COMPUTE_FRAMES also recomputes max stack/locals. No reader passed to the writer: with one, ASM copies
        // unchanged methods' bytes as they are, i.e. without frames (SKIP_FRAMES: a version-49 class has none).
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        ClassVisitor raise = new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                super.visit(TARGET_VERSION, access, name, signature, superName, interfaces);
            }
        };
        try {
            reader.accept(raise, ClassReader.SKIP_FRAMES);
            return writer.toByteArray();
        } catch (RuntimeException e) {
            throw new IllegalStateException("ClassFileUpgrade: cannot raise " + entry + " to Java 8: " + e, e);
        }
    }
}
