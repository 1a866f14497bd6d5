package dev.kiln.codegen.jvm;

import static org.objectweb.asm.Opcodes.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Copies the bytecode of a {@code VectorMath32} function (and, recursively, of the {@code VectorMath32} helpers it
 * calls) into a generated method at the point of use, so that the generated loop calls nothing but the Vector
 * API's own methods.
 *
 * <p>Why: those API methods are {@code @ForceInline}, which C2 honours past its inlining budgets; ordinary methods
 * such as {@code VectorMath32.tanh} are not inlined once a compilation holds ~18000 nodes
 * ({@code NodeCountInliningCutoff}, not settable in product JVMs) or once they have been compiled on their own into
 * more than {@code InlineSmallCode} bytes. A {@code FloatVector} passed to a call C2 did not inline is boxed (an
 * allocation per vector, ~50x slower), and a loop with four transcendentals reached that cutoff in a measured
 * prototype. Inlined here, the whole fused expression is one C2 compilation of force-inlined API calls.
 *
 * <p>Invariant relied on (checked): {@code VectorMath32} methods are straight-line code — no jumps, switches or
 * exception handlers, one return at the end — whose only calls are to {@code VectorMath32} itself or to public
 * {@code jdk.incubator.vector} / {@code java.lang} methods, and whose only fields are public. Arguments are taken
 * from the operand stack, the result is left there.
 */
final class VectorMathInliner {
    static final String OWNER = "dev/kiln/codegen/jvm/vector/VectorMath32";
    private static volatile Map<String, MethodNode> methods;

    private VectorMathInliner() {}

    /** {@code VectorMath32}'s methods by name + descriptor, read from its class file (never loading the class). */
    private static Map<String, MethodNode> methods() {
        Map<String, MethodNode> m = methods;
        if (m != null) return m;
        ClassNode cn = new ClassNode();
        try (InputStream in = VectorMathInliner.class.getClassLoader().getResourceAsStream(OWNER + ".class")) {
            if (in == null) {
                throw new IllegalStateException("class file " + OWNER + ".class not found on the class path");
            }
            new ClassReader(in).accept(cn, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        m = new HashMap<>();
        for (MethodNode mn : cn.methods) m.put(mn.name + mn.desc, mn);
        methods = m;
        return m;
    }

    /**
     * Emits the body of {@code VectorMath32.name} (descriptor {@code desc}) into {@code mv}; its arguments must be
     * on the stack. {@code alloc.applyAsInt(n)} reserves {@code n} fresh local slots of the target method.
     */
    static void inline(MethodVisitor mv, String name, String desc, IntUnaryOperator alloc) {
        MethodNode m = methods().get(name + desc);
        if (m == null) throw new IllegalStateException("no method " + OWNER + "." + name + desc);
        if ((m.access & ACC_STATIC) == 0 || !m.tryCatchBlocks.isEmpty()) {
            throw new IllegalStateException(OWNER + "." + name + " must be static without exception handlers");
        }
        int base = alloc.applyAsInt(Math.max(1, m.maxLocals));
        Type[] args = Type.getArgumentTypes(desc);
        int[] slot = new int[args.length];
        int s = 0;
        for (int i = 0; i < args.length; i++) {
            slot[i] = s;
            s += args[i].getSize();
        }
        for (int i = args.length - 1; i >= 0; i--) mv.visitVarInsn(args[i].getOpcode(ISTORE), base + slot[i]);
        AbstractInsnNode last = m.instructions.getLast();
        while (last != null && last.getOpcode() < 0) last = last.getPrevious();
        for (AbstractInsnNode insn : m.instructions) {
            int op = insn.getOpcode();
            if (op < 0) continue; // labels, line numbers
            switch (insn.getType()) {
                case AbstractInsnNode.JUMP_INSN, AbstractInsnNode.TABLESWITCH_INSN, AbstractInsnNode.LOOKUPSWITCH_INSN,
                        AbstractInsnNode.INVOKE_DYNAMIC_INSN ->
                        throw new IllegalStateException(OWNER + "." + name + " is not straight-line code (opcode " + op
                                + "); it cannot be inlined into a generated loop");
                case AbstractInsnNode.VAR_INSN -> mv.visitVarInsn(op, base + ((VarInsnNode) insn).var);
                case AbstractInsnNode.IINC_INSN -> {
                    IincInsnNode ii = (IincInsnNode) insn;
                    mv.visitIincInsn(base + ii.var, ii.incr);
                }
                case AbstractInsnNode.FIELD_INSN -> {
                    org.objectweb.asm.tree.FieldInsnNode fi = (org.objectweb.asm.tree.FieldInsnNode) insn;
                    if (fi.owner.equals(OWNER) && !fi.name.equals("SPECIES") && !fi.name.equals("LANES")) {
                        throw new IllegalStateException(OWNER + "." + name + " reads field " + fi.name
                                + "; only its public SPECIES and LANES may be read from generated code");
                    }
                    insn.accept(mv);
                }
                case AbstractInsnNode.METHOD_INSN -> {
                    MethodInsnNode mi = (MethodInsnNode) insn;
                    if (mi.owner.equals(OWNER)) inline(mv, mi.name, mi.desc, alloc);
                    else insn.accept(mv);
                }
                default -> {
                    if (op >= IRETURN && op <= RETURN) {
                        if (insn != last) {
                            throw new IllegalStateException(OWNER + "." + name + " returns before its end");
                        }
                    } else {
                        insn.accept(mv);
                    }
                }
            }
        }
    }
}
