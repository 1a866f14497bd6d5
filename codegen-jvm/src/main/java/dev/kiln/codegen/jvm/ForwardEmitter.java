package dev.kiln.codegen.jvm;

import static org.objectweb.asm.Opcodes.*;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Writes {@code Object[] forward(Frame, Object[])}: the top block as straight-line code, every value in a JVM
 * local, each node one call into {@link KilnKernels} (eager kernel, constant, size, guard, fusion group), and
 * {@code run(int, Object[], int, int, int)}: a {@code tableswitch} over the generated loop methods.
 */
final class ForwardEmitter {
    private static final String RT = Type.internal(KilnKernels.class);
    private static final String FRAME = Type.desc(Frame.class);
    private static final String TENSOR = Type.internal(Tensor.class);

    private ForwardEmitter() {}

    static void forward(ClassVisitor cv, Block top) {
        MethodVisitor mv = cv.visitMethod(ACC_PUBLIC, "forward", "(" + FRAME + "[Ljava/lang/Object;)[Ljava/lang/Object;",
                null, null);
        mv.visitCode();
        Map<Value, Integer> locals = new IdentityHashMap<>();
        int next = 3;
        for (int i = 0; i < top.params().size(); i++) {
            mv.visitVarInsn(ALOAD, 2);
            push(mv, i);
            mv.visitInsn(AALOAD);
            locals.put(top.params().get(i), next);
            mv.visitVarInsn(ASTORE, next++);
        }
        List<Node> nodes = top.nodes();
        for (int id = 0; id < nodes.size(); id++) {
            Node n = nodes.get(id);
            NodeKind k = n.kind();
            if (k instanceof NodeKind.OpCall) {
                mv.visitVarInsn(ALOAD, 1);
                push(mv, id);
                array(mv, n.inputs(), locals, TENSOR);
                mv.visitMethodInsn(INVOKESTATIC, RT, "op", "(" + FRAME + "I[L" + TENSOR + ";)[L" + TENSOR + ";", false);
                next = unpack(mv, n, locals, next);
            } else if (k instanceof NodeKind.Fused) {
                mv.visitVarInsn(ALOAD, 1);
                push(mv, id);
                array(mv, n.inputs(), locals, "java/lang/Object");
                mv.visitMethodInsn(INVOKESTATIC, RT, "fused", "(" + FRAME + "I[Ljava/lang/Object;)[Ljava/lang/Object;",
                        false);
                next = unpack(mv, n, locals, next);
            } else if (k instanceof NodeKind.Param || k instanceof NodeKind.Const || k instanceof NodeKind.ConstRef) {
                mv.visitVarInsn(ALOAD, 1);
                push(mv, id);
                mv.visitMethodInsn(INVOKESTATIC, RT, "constant", "(" + FRAME + "I)Ljava/lang/Object;", false);
                locals.put(n.output(), next);
                mv.visitVarInsn(ASTORE, next++);
            } else if (k instanceof NodeKind.Size) {
                mv.visitVarInsn(ALOAD, 1);
                push(mv, id);
                mv.visitVarInsn(ALOAD, locals.get(n.input(0)));
                mv.visitMethodInsn(INVOKESTATIC, RT, "size", "(" + FRAME + "ILjava/lang/Object;)Ljava/lang/Object;", false);
                locals.put(n.output(), next);
                mv.visitVarInsn(ASTORE, next++);
            } else if (k instanceof NodeKind.Guard) {
                mv.visitVarInsn(ALOAD, 1);
                push(mv, id);
                mv.visitVarInsn(ALOAD, locals.get(n.input(0)));
                mv.visitMethodInsn(INVOKESTATIC, RT, "guard", "(" + FRAME + "ILjava/lang/Object;)V", false);
            } else {
                throw new UnsupportedOperationException("no JVM lowering for a " + k.name() + " node");
            }
        }
        array(mv, top.results(), locals, "java/lang/Object");
        mv.visitInsn(ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** Builds an array of the values' locals (null for an absent optional input). */
    private static void array(MethodVisitor mv, List<Value> values, Map<Value, Integer> locals, String elem) {
        push(mv, values.size());
        mv.visitTypeInsn(ANEWARRAY, elem);
        for (int i = 0; i < values.size(); i++) {
            Value v = values.get(i);
            if (v == null) continue;
            mv.visitInsn(DUP);
            push(mv, i);
            mv.visitVarInsn(ALOAD, locals.get(v));
            if (!elem.equals("java/lang/Object")) mv.visitTypeInsn(CHECKCAST, elem);
            mv.visitInsn(AASTORE);
        }
    }

    private static int unpack(MethodVisitor mv, Node n, Map<Value, Integer> locals, int next) {
        for (int j = 0; j < n.outputs().size(); j++) {
            mv.visitInsn(DUP);
            push(mv, j);
            mv.visitInsn(AALOAD);
            locals.put(n.outputs().get(j), next);
            mv.visitVarInsn(ASTORE, next++);
        }
        mv.visitInsn(POP);
        return next;
    }

    static void run(ClassVisitor cv, String owner, List<String> kernels) {
        MethodVisitor mv = cv.visitMethod(ACC_PUBLIC, "run", "(I[Ljava/lang/Object;III)V", null, null);
        mv.visitCode();
        Label dflt = new Label();
        Label[] cases = new Label[kernels.size()];
        for (int i = 0; i < cases.length; i++) cases[i] = new Label();
        mv.visitVarInsn(ILOAD, 1);
        if (cases.length > 0) mv.visitTableSwitchInsn(0, cases.length - 1, dflt, cases);
        else mv.visitInsn(POP);
        for (int i = 0; i < cases.length; i++) {
            mv.visitLabel(cases[i]);
            mv.visitVarInsn(ALOAD, 2);
            mv.visitVarInsn(ILOAD, 3);
            mv.visitVarInsn(ILOAD, 4);
            mv.visitVarInsn(ILOAD, 5);
            mv.visitMethodInsn(INVOKESTATIC, owner, kernels.get(i), LoopEmitter.DESC, false);
            mv.visitInsn(RETURN);
        }
        mv.visitLabel(dflt);
        mv.visitTypeInsn(NEW, "java/lang/IllegalArgumentException");
        mv.visitInsn(DUP);
        mv.visitLdcInsn("no such kernel");
        mv.visitMethodInsn(INVOKESPECIAL, "java/lang/IllegalArgumentException", "<init>", "(Ljava/lang/String;)V", false);
        mv.visitInsn(ATHROW);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    static void push(MethodVisitor mv, int v) {
        if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
        else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
        else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
        else mv.visitLdcInsn(v);
    }
}
