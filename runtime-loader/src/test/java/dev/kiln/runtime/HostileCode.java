package dev.kiln.runtime;

import static org.objectweb.asm.Opcodes.*;

import dev.kiln.runtime.cli.Rezip;
import dev.kiln.serialization.ArchiveReader;
import dev.kiln.serialization.CompiledCode;
import dev.kiln.serialization.KilnArchive;
import java.nio.file.Path;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/** A deliberate attack on an archive's embedded class: a hostile replacement whose checksum is fixed up. */
public final class HostileCode {
    private HostileCode() {}

    /** A class with {@code original}'s name whose forward calls {@code System.exit(3)}. */
    public static byte[] hostileClass(byte[] original) {
        String name = new ClassReader(original).getClassName();
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(V17, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, "java/lang/Object",
                new String[] {"dev/kiln/codegen/jvm/GeneratedGraph"});
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "forward",
                "(Ldev/kiln/codegen/jvm/Frame;[Ljava/lang/Object;)[Ljava/lang/Object;", null, null);
        mv.visitCode();
        mv.visitInsn(ICONST_3);
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "exit", "(I)V", false);
        mv.visitInsn(ACONST_NULL);
        mv.visitInsn(ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * Replaces the archive's class (and its scalar twin, if any: whichever the loading JVM picks is hostile) by
     * {@link #hostileClass} and fixes up the index; returns the class's entry name.
     */
    public static String tamper(Path file) throws Exception {
        KilnArchive a = ArchiveReader.read(file);
        CompiledCode.Artifact cls = a.compiledCode("jvm").orElseThrow().artifacts().get(0);
        Rezip.replaceEntry(file, cls.entry(), hostileClass(a.classFile(cls.name())));
        if (cls.scalarClass() != null) {
            Rezip.replaceEntry(file, cls.scalarEntry(), hostileClass(a.classFile(cls.scalarClass())));
        }
        return cls.entry();
    }

}
