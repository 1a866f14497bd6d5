package dev.kiln.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.objectweb.asm.Opcodes.*;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrParser;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Type;

/**
 * The allow-list scan: classes the compiler generates pass it and can be instantiated from their bytes with the
 * same results as the interpreter; hand-made classes (ASM) that reach outside the list — process and file access,
 * reflection, other classes' fields, foreign superclasses or interfaces, invokedynamic, method handles, native
 * methods — are rejected with the class, the method and the reference named.
 */
class GeneratedCodeVerifierTest {
    static Stream<String> graphs() {
        return Stream.of(JvmCompilerTest.FLAT, JvmCompilerTest.ROWS, JvmCompilerTest.FALLBACK, JvmCompilerTest.TWO_GROUPS);
    }

    @ParameterizedTest
    @MethodSource("graphs")
    void generatedClassesPassAndInstantiateFromTheirBytes(String ir) {
        Graph g = IrParser.parse(ir);
        CompiledModule compiled = JvmCompiler.compile(g, Map.of(), CompileOptions.defaults());
        byte[] bytes = compiled.classBytes();
        GeneratedCodeVerifier.VerifiedClass vc = GeneratedCodeVerifier.verify(bytes);
        assertEquals(compiled.report().className(), vc.binaryName());

        CompiledModule loaded = JvmCompiler.instantiate(IrParser.parse(ir), Map.of(), bytes);
        assertEquals(vc.binaryName(), loaded.report().className());
        Tensor[] in = inputs(g);
        List<Tensor> want = new Interpreter(g, Map.of()).run(in);
        List<Tensor> got = loaded.forward(in);
        for (int i = 0; i < want.size(); i++) {
            float[] w = want.get(i).contiguous().toFloatArray();
            float[] h = got.get(i).contiguous().toFloatArray();
            assertEquals(w.length, h.length);
            for (int k = 0; k < w.length; k++) assertEquals(w[k], h[k], 1e-5 * Math.max(1, Math.abs(w[k])), "element " + k);
        }
        assertArrayEquals(bytes, loaded.classBytes());
    }

    /** Inputs for a test graph: batch 3, values sin(k), booleans alternating. */
    private static Tensor[] inputs(Graph g) {
        Tensor[] in = new Tensor[g.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            var t = (dev.kiln.ir.type.TensorType) g.inputs().get(i).type();
            long[] shape = t.shape().eval(Map.of("B", 3L));
            int n = 1;
            for (long d : shape) n *= (int) d;
            float[] a = JvmCompilerTest.ramp(n, 2, i);
            Tensor x = Tensor.wrap(a, shape);
            in[i] = t.dtype() == dev.kiln.ir.DType.BOOL ? x.gt(Tensor.scalar(0.0)) : x;
        }
        return in;
    }

    @Test
    void aClassFromAnotherGraphDoesNotFit() {
        byte[] flat = JvmCompiler.compile(IrParser.parse(JvmCompilerTest.FLAT), Map.of(), CompileOptions.defaults())
                .classBytes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JvmCompiler.instantiate(IrParser.parse(JvmCompilerTest.TWO_GROUPS), Map.of(), flat));
        assertTrue(e.getMessage().contains("does not fit the graph: expected at least the methods"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> JvmCompiler.instantiate(IrParser.parse(JvmCompilerTest.FLAT), Map.of(), new byte[0]));
        assertTrue(none.getMessage().contains("no class was given"), none.getMessage());
    }

    // ---- hand-made classes ----

    static final String NAME = "dev/kiln/codegen/jvm/generated/Evil";

    /** A generated-looking class whose {@code forward} runs {@code body} (the stack must be balanced by it). */
    static byte[] evil(String name, String superName, String[] interfaces, Consumer<MethodVisitor> body) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(V17, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, superName, interfaces);
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "forward",
                "(Ldev/kiln/codegen/jvm/Frame;[Ljava/lang/Object;)[Ljava/lang/Object;", null, null);
        mv.visitCode();
        body.accept(mv);
        mv.visitInsn(ACONST_NULL);
        mv.visitInsn(ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    static byte[] evil(Consumer<MethodVisitor> body) {
        return evil(NAME, "java/lang/Object", new String[] {GeneratedCodeAllowList.INTERFACE}, body);
    }

    static GeneratedCodeRejectedException rejected(byte[] bytes, String... fragments) {
        GeneratedCodeRejectedException e = assertThrows(GeneratedCodeRejectedException.class,
                () -> GeneratedCodeVerifier.verify(bytes));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        return e;
    }

    @Test
    void aBenignHandMadeClassPasses() {
        byte[] ok = evil(mv -> {
            mv.visitLdcInsn(2.0f);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "abs", "(F)F", false);
            mv.visitMethodInsn(INVOKESTATIC, "dev/kiln/codegen/jvm/KilnKernels", "rsqrt", "(F)F", false);
            mv.visitInsn(POP);
        });
        assertEquals("dev.kiln.codegen.jvm.generated.Evil", GeneratedCodeVerifier.verify(ok).binaryName());
    }

    @Test
    void runtimeExecIsRejectedNamingClassMethodAndReference() {
        GeneratedCodeRejectedException e = rejected(evil(mv -> {
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Runtime", "getRuntime", "()Ljava/lang/Runtime;", false);
            mv.visitLdcInsn("rm -rf /");
            mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Runtime", "exec", "(Ljava/lang/String;)Ljava/lang/Process;",
                    false);
            mv.visitInsn(POP);
        }), "class dev.kiln.codegen.jvm.generated.Evil, method forward(", "java/lang/Runtime");
        assertEquals("dev.kiln.codegen.jvm.generated.Evil", e.className());
        assertTrue(e.method().startsWith("forward("), e.method());
        assertTrue(e.reference().startsWith("java/lang/Runtime.getRuntime"), e.reference());
    }

    @Test
    void fileAccessIsRejected() {
        rejected(evil(mv -> {
            mv.visitTypeInsn(NEW, "java/io/File");
            mv.visitInsn(DUP);
            mv.visitLdcInsn("/etc/passwd");
            mv.visitMethodInsn(INVOKESPECIAL, "java/io/File", "<init>", "(Ljava/lang/String;)V", false);
            mv.visitMethodInsn(INVOKEVIRTUAL, "java/io/File", "delete", "()Z", false);
            mv.visitInsn(POP);
        }), "type outside the allow-list", "java/io/File");
    }

    @Test
    void reflectionIsRejected() {
        rejected(evil(mv -> {
            mv.visitLdcInsn("java.lang.Runtime");
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Class", "forName", "(Ljava/lang/String;)Ljava/lang/Class;", false);
            mv.visitInsn(POP);
        }), "java/lang/Class");
        rejected(evil(mv -> {
            mv.visitLdcInsn(Type.getObjectType("java/lang/Runtime"));
            mv.visitInsn(POP);
        }), "ldc class constant", "java/lang/Runtime");
    }

    @Test
    void anotherClassesFieldIsRejected() {
        rejected(evil(mv -> {
            mv.visitFieldInsn(GETSTATIC, "java/lang/System", "out", "Ljava/io/PrintStream;");
            mv.visitInsn(POP);
        }), "java/io/PrintStream");
        // even a field whose type is allowed: KilnKernels' own static state is not for generated code
        rejected(evil(mv -> {
            mv.visitFieldInsn(GETSTATIC, "dev/kiln/codegen/jvm/KilnKernels", "GRAIN", "I");
            mv.visitInsn(POP);
        }), "field access outside the generated class", "dev/kiln/codegen/jvm/KilnKernels.GRAIN:I");
    }

    @Test
    void membersOffTheListAreRejected() {
        rejected(evil(mv -> {
            mv.visitInsn(ICONST_0);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "exit", "(I)V", false);
        }), "member not on the allow-list", "java/lang/System.exit(I)V");
        rejected(evil(mv -> {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Object", "notify", "()V", false);
        }), "java/lang/Object.notify()V");
        rejected(evil(mv -> {
            mv.visitInsn(ACONST_NULL);
            mv.visitMethodInsn(INVOKEVIRTUAL, "dev/kiln/eager/Tensor", "zero_", "()Ldev/kiln/eager/Tensor;", false);
            mv.visitInsn(POP);
        }), "dev/kiln/eager/Tensor.zero_");
    }

    @Test
    void vectorApiIsAllowedOnlyAsValuesAndListedConstants() {
        // reading the species vector loops use, and computing with it, passes
        GeneratedCodeVerifier.verify(evil(mv -> {
            mv.visitFieldInsn(GETSTATIC, "dev/kiln/codegen/jvm/vector/VectorMath32", "SPECIES",
                    "Ljdk/incubator/vector/VectorSpecies;");
            mv.visitInsn(FCONST_1);
            mv.visitMethodInsn(INVOKESTATIC, "jdk/incubator/vector/FloatVector", "broadcast",
                    "(Ljdk/incubator/vector/VectorSpecies;F)Ljdk/incubator/vector/FloatVector;", false);
            mv.visitMethodInsn(INVOKEVIRTUAL, "jdk/incubator/vector/FloatVector", "abs",
                    "()Ljdk/incubator/vector/FloatVector;", false);
            mv.visitInsn(POP);
        }));
        // writing it is not reading a constant
        rejected(evil(mv -> {
            mv.visitInsn(ACONST_NULL);
            mv.visitFieldInsn(PUTSTATIC, "dev/kiln/codegen/jvm/vector/VectorMath32", "SPECIES",
                    "Ljdk/incubator/vector/VectorSpecies;");
        }), "field access outside the generated class", "VectorMath32.SPECIES");
        // a Vector API method that hands out something off the list (a Class) is refused by its descriptor
        rejected(evil(mv -> {
            mv.visitInsn(ACONST_NULL);
            mv.visitMethodInsn(INVOKEINTERFACE, "jdk/incubator/vector/VectorSpecies", "elementType",
                    "()Ljava/lang/Class;", true);
            mv.visitInsn(POP);
        }), "java/lang/Class");
        // an unlisted static field of a listed class
        rejected(evil(mv -> {
            mv.visitFieldInsn(GETSTATIC, "jdk/incubator/vector/FloatVector", "SPECIES_512",
                    "Ljdk/incubator/vector/VectorSpecies;");
            mv.visitInsn(POP);
        }), "field access outside the generated class", "FloatVector.SPECIES_512");
    }

    @Test
    void foreignSuperclassInterfaceAndPackageAreRejected() {
        rejected(evil(NAME, "java/lang/Thread", new String[0], mv -> { }), "superclass must be java/lang/Object",
                "java/lang/Thread");
        rejected(evil(NAME, "java/lang/Object", new String[] {"java/lang/Runnable"}, mv -> { }),
                "interface not allowed", "java/lang/Runnable");
        rejected(evil("dev/kiln/codegen/jvm/KilnKernels", "java/lang/Object", new String[0], mv -> { }),
                "must be in package dev.kiln.codegen.jvm.generated.");
    }

    @Test
    void invokedynamicHandlesAndDynamicConstantsAreRejected() {
        Handle bsm = new Handle(H_INVOKESTATIC, "java/lang/invoke/StringConcatFactory", "makeConcatWithConstants",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;"
                        + "Ljava/lang/String;[Ljava/lang/Object;)Ljava/lang/invoke/CallSite;", false);
        rejected(evil(mv -> {
            mv.visitInvokeDynamicInsn("concat", "()Ljava/lang/String;", bsm, "x");
            mv.visitInsn(POP);
        }), "invokedynamic is not allowed", "StringConcatFactory");
        rejected(evil(mv -> {
            mv.visitLdcInsn(new Handle(H_INVOKESTATIC, "java/lang/Math", "abs", "(F)F", false));
            mv.visitInsn(POP);
        }), "method handle constants are not allowed");
        rejected(evil(mv -> {
            mv.visitLdcInsn(new ConstantDynamic("c", "Ljava/lang/Object;", bsm));
            mv.visitInsn(POP);
        }), "dynamic constants are not allowed");
    }

    @Test
    void nativeMethodsAndGarbageAreRejected() {
        ClassWriter cw = new ClassWriter(0);
        cw.visit(V17, ACC_PUBLIC | ACC_FINAL, NAME, null, "java/lang/Object", new String[0]);
        cw.visitMethod(ACC_PUBLIC | ACC_STATIC | ACC_NATIVE, "boom", "()V", null, null).visitEnd();
        cw.visitEnd();
        rejected(cw.toByteArray(), "method boom()V", "native methods are not allowed");
        rejected(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0}, "not a readable class file");
    }

    @Test
    void instantiateRefusesARejectedClass() {
        byte[] bad = evil(mv -> {
            mv.visitInsn(ICONST_0);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "exit", "(I)V", false);
        });
        assertThrows(GeneratedCodeRejectedException.class,
                () -> JvmCompiler.instantiate(IrParser.parse(JvmCompilerTest.FLAT), Map.of(), bad));
    }
}
