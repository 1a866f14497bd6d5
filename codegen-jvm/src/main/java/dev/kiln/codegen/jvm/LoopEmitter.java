package dev.kiln.codegen.jvm;

import static org.objectweb.asm.Opcodes.*;

import dev.kiln.ir.DType;
import dev.kiln.passes.kernel.Expr;
import dev.kiln.passes.kernel.Kernel;
import java.util.IdentityHashMap;
import java.util.Map;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.tree.MethodNode;

/**
 * Writes one {@link LoopPlan} as a static method {@code void name(Object[] arrays, int inner, int start, int end)}.
 * {@code arrays} holds each operand's contiguous data ({@code float[]} or {@code boolean[]}, null when unused),
 * then each store's {@code float[]}. The method covers points {@code [start, end)} of the flattened domain, or
 * rows {@code [start, end)} of {@code inner} points when the plan has ROW operands, so disjoint ranges may run on
 * different threads. Values live in JVM locals: float32 as {@code float}, bool as {@code int} 0/1. A node used
 * twice is computed once per point (stored in a local); a select evaluates both arms first, so no local is defined
 * on one path only. Unsupported constructs throw {@link UnsupportedOperationException} before anything is added to
 * the class (the method is built as a {@link MethodNode}).
 */
final class LoopEmitter {
    static final String DESC = "([Ljava/lang/Object;III)V";
    private static final String FAST = "dev/kiln/eager/kernels/FastMath32";
    private static final String RT = Type.internal(KilnKernels.class);
    private static final String LANE = "dev/kiln/codegen/jvm/vector/LaneMath32";

    private final LoopPlan plan;
    private final Kernel k;
    private final MethodNode mv;
    private int nextLocal = 4;
    private final int[] arrayLocal;
    private final int[] scalarLocal;
    private final Map<Object, Integer> scratchLocal = new java.util.HashMap<>();
    private final int[] outLocal;
    private int indexLocal;
    private Map<Expr, Integer> cache;
    private int stage;

    private LoopEmitter(LoopPlan plan, String name) {
        this.plan = plan;
        this.k = plan.kernel;
        this.mv = new MethodNode(ACC_STATIC | ACC_PUBLIC, name, DESC, null, null);
        arrayLocal = new int[k.operands().size()];
        scalarLocal = new int[k.operands().size()];
        outLocal = new int[k.stores().size()];
    }

    /** Points per call of a flat loop's block method. */
    static final int SPAN = 4096;

    /**
     * The kernel as two methods: {@code name} walks {@code [start, end)} and calls {@code name$b} once per block of
     * points. The block method holds the loops; being called thousands of times per run, it is compiled by C2 as a
     * normal method (a single long-running call would only ever run as on-stack-replacement code, which C2
     * optimises less well).
     */
    static java.util.List<MethodNode> emit(LoopPlan plan, String name) {
        LoopEmitter e = new LoopEmitter(plan, name + "$b");
        e.blockMethod();
        if (!plan.vector) return java.util.List.of(driver(plan, name), e.mv);
        LoopEmitter s = new LoopEmitter(plan, name + "$s");
        s.scalarBlockMethod();
        return java.util.List.of(vectorDriver(plan, name), e.mv, s.mv);
    }

    private static final String WARM = Type.internal(VectorWarmup.class);

    /**
     * Driver of a vector plan, {@code name(a, inner, start, end)}: per row ({@code [row·inner, (row+1)·inner)}, ROW
     * plans) or over {@code [start, end)}, in spans; once the group's {@link VectorWarmup} (in
     * {@code a[operands + stores]}) is ready, each span of {@link #SPAN} points runs {@code name$b(a, base, c, e)}
     * (vector); before, {@code name$s(a, base, c, e)}, the same computation as a scalar loop (bit-identical).
     * {@code inner < 0} is the warm-up thread's call: {@code name$b(a, 0, start, end)} directly.
     */
    private static MethodNode vectorDriver(LoopPlan plan, String name) {
        MethodNode mv = new MethodNode(ACC_STATIC | ACC_PUBLIC, name, DESC, null, null);
        mv.visitCode();
        final int warm = 4, base = 5, c = 6, e = 7, rowEnd = 8, row = 9;
        boolean rows = plan.rowDims > 0;
        Label rowTest = new Label(), rowDone = new Label(), test = new Label(), done = new Label();
        Label cold = new Label(), next = new Label(), normal = new Label();
        mv.visitVarInsn(ILOAD, 1);
        mv.visitJumpInsn(IFGE, normal);
        mv.visitVarInsn(ALOAD, 0);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ILOAD, 3);
        mv.visitMethodInsn(INVOKESTATIC, OWNER_PLACEHOLDER, name + "$b", DESC, false);
        mv.visitInsn(RETURN);
        mv.visitLabel(normal);
        mv.visitVarInsn(ALOAD, 0);
        pushInt(mv, plan.access.length + plan.kernel.stores().size());
        mv.visitInsn(AALOAD);
        mv.visitTypeInsn(CHECKCAST, WARM);
        mv.visitVarInsn(ASTORE, warm);
        spanHeader(mv, rows, row, base, c, rowEnd, rowTest, rowDone);
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, c);
        mv.visitVarInsn(ILOAD, rowEnd);
        mv.visitJumpInsn(IF_ICMPGE, done);
        mv.visitVarInsn(ALOAD, warm);
        mv.visitMethodInsn(INVOKEVIRTUAL, WARM, "ready", "()Z", false);
        mv.visitJumpInsn(IFEQ, cold);
        minPlus(mv, e, rowEnd, c, SPAN);
        callBlock(mv, name + "$b", base, c, e);
        mv.visitJumpInsn(GOTO, next);
        mv.visitLabel(cold);
        minPlus(mv, e, rowEnd, c, SPAN);
        callBlock(mv, name + "$s", base, c, e);
        mv.visitLabel(next);
        mv.visitVarInsn(ILOAD, e);
        mv.visitVarInsn(ISTORE, c);
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(done);
        if (rows) {
            mv.visitIincInsn(row, 1);
            mv.visitJumpInsn(GOTO, rowTest);
            mv.visitLabel(rowDone);
        }
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        return mv;
    }

    /** {@code target = min(limit, from + step)}. */
    private static void minPlus(MethodVisitor mv, int target, int limit, int from, int step) {
        mv.visitVarInsn(ILOAD, limit);
        mv.visitVarInsn(ILOAD, from);
        pushInt(mv, step);
        mv.visitInsn(IADD);
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
        mv.visitVarInsn(ISTORE, target);
    }

    /** {@code block(a, base, from, to)}. */
    private static void callBlock(MethodVisitor mv, String block, int base, int from, int to) {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ILOAD, base);
        mv.visitVarInsn(ILOAD, from);
        mv.visitVarInsn(ILOAD, to);
        mv.visitMethodInsn(INVOKESTATIC, OWNER_PLACEHOLDER, block, DESC, false);
    }

    private static void pushInt(MethodVisitor mv, int v) {
        if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
        else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
        else mv.visitLdcInsn(v);
    }

    private int local(int size) {
        int l = nextLocal;
        nextLocal += size;
        return l;
    }

    private boolean isBool(int operand) { return k.operands().get(operand).type().dtype() == DType.BOOL; }

    /** {@code name(a, inner, start, end)}: rows of {@code inner} in chunks, or flat spans, each one block call. */
    private static MethodNode driver(LoopPlan plan, String name) {
        MethodNode mv = new MethodNode(ACC_STATIC | ACC_PUBLIC, name, DESC, null, null);
        mv.visitCode();
        int base = 4, c = 5, end = 6, row = 7;
        Label rowTest = new Label(), rowDone = new Label(), test = new Label(), done = new Label();
        boolean rows = (plan.chunked || plan.vector) && plan.rowDims > 0;
        spanHeader(mv, rows, row, base, c, end, rowTest, rowDone);
        int step = plan.chunked ? LoopPlan.BLOCK : SPAN;
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, c);
        mv.visitVarInsn(ILOAD, end);
        mv.visitJumpInsn(IF_ICMPGE, done);
        mv.visitVarInsn(ALOAD, 0);
        if (plan.chunked) {
            // name$b(a, base, c, len = min(BLOCK, end - c))
            mv.visitVarInsn(ILOAD, base);
            mv.visitVarInsn(ILOAD, c);
            mv.visitLdcInsn(step);
            mv.visitVarInsn(ILOAD, end);
            mv.visitVarInsn(ILOAD, c);
            mv.visitInsn(ISUB);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
        } else {
            // name$b(a, inner, c, min(end, c + SPAN)); vector: name$b(a, base, c, min(end, c + SPAN))
            mv.visitVarInsn(ILOAD, plan.vector ? base : 1);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, end);
            mv.visitVarInsn(ILOAD, c);
            mv.visitLdcInsn(step);
            mv.visitInsn(IADD);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
        }
        mv.visitMethodInsn(INVOKESTATIC, OWNER_PLACEHOLDER, name + "$b", DESC, false);
        mv.visitVarInsn(ILOAD, c);
        mv.visitLdcInsn(step);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, c);
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(done);
        if (rows) {
            mv.visitIincInsn(row, 1);
            mv.visitJumpInsn(GOTO, rowTest);
            mv.visitLabel(rowDone);
        }
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        return mv;
    }

    /** Stands for the generated class's name in calls between its methods; {@link JvmCompiler} renames it. */
    static final String OWNER_PLACEHOLDER = "$owner$";

    /**
     * The scalar block of a vector plan, {@code (arrays, base, c, end)}: the flat scalar loop over {@code [c, end)},
     * computing what the vector block computes bit for bit (LaneMath32), for spans run before the vector block is
     * compiled ({@link VectorWarmup}).
     */
    private void scalarBlockMethod() {
        operandLocals();
        flat(true);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private void blockMethod() {
        operandLocals();
        if (plan.vector) vector();
        else if (plan.chunked) chunk();
        else flat(true);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** Loads each used operand's array (or SCALAR value) and each store's array into locals. */
    private void operandLocals() {
        mv.visitCode();
        int nOps = k.operands().size();
        for (int i = 0; i < nOps; i++) {
            LoopPlan.Access a = plan.access[i];
            if (a == LoopPlan.Access.UNUSED) continue;
            String arr = isBool(i) ? "[Z" : "[F";
            mv.visitVarInsn(ALOAD, 0);
            push(i);
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, arr);
            if (a == LoopPlan.Access.SCALAR) {
                push(0);
                mv.visitInsn(isBool(i) ? BALOAD : FALOAD);
                scalarLocal[i] = local(1);
                mv.visitVarInsn(isBool(i) ? ISTORE : FSTORE, scalarLocal[i]);
            } else {
                arrayLocal[i] = local(1);
                mv.visitVarInsn(ASTORE, arrayLocal[i]);
            }
        }
        for (int s = 0; s < outLocal.length; s++) {
            mv.visitVarInsn(ALOAD, 0);
            push(nOps + s);
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, "[F");
            outLocal[s] = local(1);
            mv.visitVarInsn(ASTORE, outLocal[s]);
        }
    }

    /**
     * Vector block {@code (arrays, base, c, end)}: {@code for (i = c; i <= end - LANES; i += LANES)} the whole
     * expression on {@code FloatVector}s ({@link VectorExprEmitter}), then the scalar loop for the remaining
     * {@code < LANES} points. ROW operands are indexed by {@code i - base}.
     */
    private void vector() {
        indexLocal = local(1);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ISTORE, indexLocal);
        vectorLoop(1);
        flat(false);
    }

    // One vector body per iteration. Unrolling by two (two independent bodies per iteration, to overlap their
    // dependency chains) was measured and dropped: elementwise_chain's block grew to 6223 bytecodes, C1 gave up on
    // it ("out of virtual registers"), C2 took ~5 s to compile it, and the compiled loop was slower (11.7 vs 1.7 ms
    // CPU per 64x4096 call).

    /**
     * {@code for (; i <= end - copies·LANES; i += copies·LANES)} with {@code copies} vector bodies at
     * {@code i, i + LANES, ...}.
     */
    private void vectorLoop(int copies) {
        Label test = new Label();
        Label done = new Label();
        int[] at = new int[copies];
        int[] rowAt = new int[copies];
        for (int j = 0; j < copies; j++) {
            at[j] = j == 0 ? indexLocal : local(1);
            rowAt[j] = plan.rowDims > 0 ? local(1) : -1;
        }
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, indexLocal);
        mv.visitVarInsn(ILOAD, 3);
        lanesTimes(copies);
        mv.visitInsn(ISUB);
        mv.visitJumpInsn(IF_ICMPGT, done);
        for (int j = 0; j < copies; j++) {
            if (j > 0) {
                mv.visitVarInsn(ILOAD, indexLocal);
                lanesTimes(j);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ISTORE, at[j]);
            }
            if (rowAt[j] >= 0) {
                mv.visitVarInsn(ILOAD, at[j]);
                mv.visitVarInsn(ILOAD, 1);
                mv.visitInsn(ISUB);
                mv.visitVarInsn(ISTORE, rowAt[j]);
            }
        }
        for (int j = 0; j < copies; j++) {
            VectorExprEmitter v = new VectorExprEmitter(plan, mv, this::local, arrayLocal, scalarLocal, at[j],
                    rowAt[j]);
            for (int s = 0; s < outLocal.length; s++) v.store(k.stores().get(s).value(), outLocal[s]);
        }
        mv.visitVarInsn(ILOAD, indexLocal);
        lanesTimes(copies);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, indexLocal);
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(done);
    }

    /** Pushes {@code VectorMath32.LANES · n}. */
    private void lanesTimes(int n) {
        mv.visitFieldInsn(GETSTATIC, VectorMathInliner.OWNER, "LANES", "I");
        if (n != 1) {
            push(n);
            mv.visitInsn(IMUL);
        }
    }

    /**
     * {@code for (i = start; i < end; i++) out[i] = f(in[i], ...)}; {@code init}: i starts at parameter 2, else
     * it continues from the vector loop's index. ROW operands (vector plans only) are read at {@code i - base}.
     */
    private void flat(boolean init) {
        if (init) {
            indexLocal = local(1);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitVarInsn(ISTORE, indexLocal);
        }
        Label test = new Label();
        Label done = new Label();
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, indexLocal);
        mv.visitVarInsn(ILOAD, 3);
        mv.visitJumpInsn(IF_ICMPGE, done);
        cache = new IdentityHashMap<>();
        stage = 0;
        for (int s = 0; s < outLocal.length; s++) {
            Expr v = k.stores().get(s).value();
            value(v);
            int tmp = local(1);
            mv.visitVarInsn(FSTORE, tmp);
            mv.visitVarInsn(ALOAD, outLocal[s]);
            mv.visitVarInsn(ILOAD, indexLocal);
            mv.visitVarInsn(FLOAD, tmp);
            mv.visitInsn(FASTORE);
        }
        mv.visitIincInsn(indexLocal, 1);
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(done);
    }

    /** One chunk: parameters {@code (arrays, base, c, len)}: points {@code [c, c + len)} of the row at {@code base}. */
    private void chunk() {
        final int base = 1;
        final int c = 2;
        final int len = 3;
        int nFloat = plan.floatScratch.size() + outLocal.length;
        int fs = local(1);
        push(nFloat);
        mv.visitMethodInsn(INVOKESTATIC, RT, "floatScratch", "(I)[[F", false);
        mv.visitVarInsn(ASTORE, fs);
        int slot = 0;
        for (Object key : plan.floatScratch.keySet()) scratchLocal.put(key, scratch(fs, slot++));
        int[] outScratch = new int[outLocal.length];
        for (int s = 0; s < outLocal.length; s++) outScratch[s] = scratch(fs, slot++);
        if (!plan.boolScratch.isEmpty()) {
            int bs = local(1);
            push(plan.boolScratch.size());
            mv.visitMethodInsn(INVOKESTATIC, RT, "boolScratch", "(I)[[Z", false);
            mv.visitVarInsn(ASTORE, bs);
            for (Map.Entry<Integer, Integer> e : plan.boolScratch.entrySet()) {
                int l = local(1);
                mv.visitVarInsn(ALOAD, bs);
                push(e.getValue());
                mv.visitInsn(AALOAD);
                mv.visitVarInsn(ASTORE, l);
                scratchLocal.put(e.getKey(), l);
            }
        }
        // copy FULL and ROW operands of this chunk into scratch, indexed from 0
        for (int i = 0; i < plan.access.length; i++) {
            LoopPlan.Access a = plan.access[i];
            if (a != LoopPlan.Access.FULL && a != LoopPlan.Access.ROW) continue;
            mv.visitVarInsn(ALOAD, arrayLocal[i]);
            mv.visitVarInsn(ILOAD, c);
            if (a == LoopPlan.Access.ROW) {
                mv.visitVarInsn(ILOAD, base);
                mv.visitInsn(ISUB);
            }
            mv.visitVarInsn(ALOAD, scratchLocal.get(i));
            push(0);
            mv.visitVarInsn(ILOAD, len);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy",
                    "(Ljava/lang/Object;ILjava/lang/Object;II)V", false);
        }
        for (stage = 0; stage < plan.stages; stage++) {
            for (Expr.Unary h : plan.helpers) {
                if (plan.levelOf(h) != stage) continue;
                Expr in = h.a();
                Object key = in instanceof Expr.Load l ? (Object) l.operand() : in;
                mv.visitVarInsn(ALOAD, scratchLocal.get(key));
                push(0);
                mv.visitVarInsn(ALOAD, scratchLocal.get(h));
                push(0);
                mv.visitVarInsn(ILOAD, len);
                mv.visitMethodInsn(INVOKESTATIC, FAST, helperName(h.op()), "([FI[FII)V", false);
            }
            stageLoop(len, outScratch);
        }
        for (int s = 0; s < outLocal.length; s++) {
            mv.visitVarInsn(ALOAD, outScratch[s]);
            push(0);
            mv.visitVarInsn(ALOAD, outLocal[s]);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, len);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy",
                    "(Ljava/lang/Object;ILjava/lang/Object;II)V", false);
        }
    }

    private int scratch(int fs, int slot) {
        int l = local(1);
        mv.visitVarInsn(ALOAD, fs);
        push(slot);
        mv.visitInsn(AALOAD);
        mv.visitVarInsn(ASTORE, l);
        return l;
    }

    /** One loop {@code for (j = 0; j < len; j++)} writing this stage's materialised nodes and stores. */
    private void stageLoop(int len, int[] outScratch) {
        boolean any = false;
        for (Expr m : plan.materialised) if (plan.levelOf(m) == stage) any = true;
        for (Kernel.Store s : k.stores()) if (plan.levelOf(s.value()) == stage) any = true;
        if (!any) return;
        indexLocal = local(1);
        push(0);
        mv.visitVarInsn(ISTORE, indexLocal);
        Label test = new Label();
        Label done = new Label();
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, indexLocal);
        mv.visitVarInsn(ILOAD, len);
        mv.visitJumpInsn(IF_ICMPGE, done);
        cache = new IdentityHashMap<>();
        for (Expr m : plan.materialised) {
            if (plan.levelOf(m) != stage) continue;
            value(m);
            storeAt(scratchLocal.get(m));
        }
        for (int s = 0; s < outScratch.length; s++) {
            Expr v = k.stores().get(s).value();
            if (plan.levelOf(v) != stage) continue;
            value(v);
            storeAt(outScratch[s]);
        }
        mv.visitIincInsn(indexLocal, 1);
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(done);
    }

    /** Stores the float on the stack into {@code array[j]}. */
    private void storeAt(int arrayLocal) {
        int tmp = local(1);
        mv.visitVarInsn(FSTORE, tmp);
        mv.visitVarInsn(ALOAD, arrayLocal);
        mv.visitVarInsn(ILOAD, indexLocal);
        mv.visitVarInsn(FLOAD, tmp);
        mv.visitInsn(FASTORE);
    }

    /** Pushes the value of {@code e} at the current point (float, or int for bool). */
    private void value(Expr e) {
        Integer cached = cache.get(e);
        if (cached != null) {
            mv.visitVarInsn(LoopPlan.jvm(e) == DType.BOOL ? ILOAD : FLOAD, cached);
            return;
        }
        if (e instanceof Expr.Const c) {
            if (LoopPlan.jvm(e) == DType.BOOL) push(c.value() != 0 ? 1 : 0);
            else mv.visitLdcInsn((float) c.value());
            return;
        }
        if (e instanceof Expr.Load l) {
            int i = l.operand();
            boolean b = isBool(i);
            if (plan.access[i] == LoopPlan.Access.SCALAR) {
                mv.visitVarInsn(b ? ILOAD : FLOAD, scalarLocal[i]);
            } else {
                mv.visitVarInsn(ALOAD, plan.chunked ? scratchLocal.get(i) : arrayLocal[i]);
                mv.visitVarInsn(ILOAD, indexLocal);
                if (plan.vector && plan.access[i] == LoopPlan.Access.ROW) {
                    mv.visitVarInsn(ILOAD, 1); // base
                    mv.visitInsn(ISUB);
                }
                mv.visitInsn(b ? BALOAD : FALOAD);
            }
            return;
        }
        if (plan.chunked && (plan.isHelper(e) || plan.materialised.contains(e) && plan.levelOf(e) < stage)) {
            mv.visitVarInsn(ALOAD, scratchLocal.get(e));
            mv.visitVarInsn(ILOAD, indexLocal);
            mv.visitInsn(FALOAD);
            return;
        }
        compute(e);
    }

    /** Computes {@code e} from its inputs, leaves it on the stack and caches it in a local. */
    private void compute(Expr e) {
        if (e instanceof Expr.Unary u) unary(u);
        else if (e instanceof Expr.Binary b) binary(b);
        else if (e instanceof Expr.Select s) {
            int c = localOf(s.cond());
            int a = localOf(s.a());
            int b = localOf(s.b());
            boolean bool = LoopPlan.jvm(s) == DType.BOOL;
            Label elseL = new Label();
            Label end = new Label();
            mv.visitVarInsn(ILOAD, c);
            mv.visitJumpInsn(IFEQ, elseL);
            mv.visitVarInsn(bool ? ILOAD : FLOAD, a);
            mv.visitJumpInsn(GOTO, end);
            mv.visitLabel(elseL);
            mv.visitVarInsn(bool ? ILOAD : FLOAD, b);
            mv.visitLabel(end);
        } else {
            throw new UnsupportedOperationException("no JVM lowering for " + e.getClass().getSimpleName());
        }
        int l = local(1);
        boolean bool = LoopPlan.jvm(e) == DType.BOOL;
        mv.visitInsn(DUP);
        mv.visitVarInsn(bool ? ISTORE : FSTORE, l);
        cache.put(e, l);
    }

    /** The value of {@code e} in a local (computed and stored if needed). */
    private int localOf(Expr e) {
        value(e);
        Integer c = cache.get(e);
        if (c != null && !(e instanceof Expr.Load || e instanceof Expr.Const)) {
            mv.visitInsn(POP);
            return c;
        }
        int l = local(1);
        mv.visitVarInsn(LoopPlan.jvm(e) == DType.BOOL ? ISTORE : FSTORE, l);
        return l;
    }

    private void convert(DType from, DType to) {
        if (from == to) return;
        if (from == DType.BOOL && to == DType.FLOAT32) mv.visitInsn(I2F);
        else if (from == DType.FLOAT32 && to == DType.BOOL) rt("nonzero", "(F)I");
        else throw new UnsupportedOperationException("conversion " + from + " -> " + to);
    }

    private void unary(Expr.Unary u) {
        value(u.a());
        DType in = LoopPlan.jvm(u.a());
        switch (u.op()) {
            case CAST -> {
                convert(in, LoopPlan.jvm(u));
                return;
            }
            case NOT -> {
                convert(in, DType.BOOL);
                push(1);
                mv.visitInsn(IXOR);
                convert(DType.BOOL, LoopPlan.jvm(u));
                return;
            }
            default -> convert(in, DType.FLOAT32);
        }
        switch (u.op()) {
            case ABS -> mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "abs", "(F)F", false);
            case NEG -> mv.visitInsn(FNEG);
            // vector plans: the scalar twin of the vector code (tail and warm-up), so every point gets the same bits
            case EXP, TANH, SIGMOID, SILU, GELU, GELU_TANH, LOG ->
                    mv.visitMethodInsn(INVOKESTATIC, plan.vector ? LANE : FAST, helperName(u.op()), "(F)F", false);
            case SQRT -> {
                mv.visitInsn(F2D);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "sqrt", "(D)D", false);
                mv.visitInsn(D2F);
            }
            case RSQRT -> {
                if (plan.vector) mv.visitMethodInsn(INVOKESTATIC, LANE, "rsqrt", "(F)F", false);
                else rt("rsqrt", "(F)F");
            }
            case SIN -> rt("sin", "(F)F");
            case COS -> rt("cos", "(F)F");
            case RECIPROCAL -> {
                mv.visitInsn(FCONST_1);
                mv.visitInsn(SWAP);
                mv.visitInsn(FDIV);
            }
            case RELU -> {
                mv.visitInsn(FCONST_0);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
            }
            case ELU -> {
                mv.visitLdcInsn((float) u.param());
                if (plan.vector) mv.visitMethodInsn(INVOKESTATIC, LANE, "elu", "(FF)F", false);
                else rt("elu", "(FF)F");
            }
            case LEAKY_RELU -> {
                mv.visitLdcInsn((float) u.param());
                rt("leakyRelu", "(FF)F");
            }
            case SOFTPLUS -> {
                mv.visitLdcInsn((float) u.param());
                mv.visitLdcInsn((float) u.param2());
                rt("softplus", "(FFF)F");
            }
            default -> throw new UnsupportedOperationException("no JVM lowering for unary " + u.op());
        }
        convert(DType.FLOAT32, LoopPlan.jvm(u));
    }

    private void binary(Expr.Binary b) {
        DType ct = b.computeType();
        value(b.a());
        convert(LoopPlan.jvm(b.a()), ct);
        value(b.b());
        convert(LoopPlan.jvm(b.b()), ct);
        DType produced;
        if (ct == DType.FLOAT32) {
            produced = DType.FLOAT32;
            switch (b.op()) {
                case ADD -> mv.visitInsn(FADD);
                case SUB -> mv.visitInsn(FSUB);
                case MUL -> mv.visitInsn(FMUL);
                case DIV -> mv.visitInsn(FDIV);
                case MAX -> mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
                case MIN -> mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(FF)F", false);
                case FLOOR_DIV -> rt("floorDiv", "(FF)F");
                case TRUNC_DIV -> rt("truncDiv", "(FF)F");
                case POW -> rt("pow", "(FF)F");
                default -> {
                    produced = DType.BOOL;
                    rt(b.op().name().toLowerCase(), "(FF)I");
                }
            }
        } else {
            produced = DType.BOOL;
            switch (b.op()) {
                case AND, MUL, MIN -> mv.visitInsn(IAND);
                case OR, MAX -> mv.visitInsn(IOR);
                case NE -> mv.visitInsn(IXOR);
                case EQ -> {
                    mv.visitInsn(IXOR);
                    push(1);
                    mv.visitInsn(IXOR);
                }
                default -> throw new UnsupportedOperationException("no JVM lowering for bool " + b.op());
            }
        }
        convert(produced, LoopPlan.jvm(b));
    }

    private void rt(String name, String desc) { mv.visitMethodInsn(INVOKESTATIC, RT, name, desc, false); }

    static String helperName(Expr.UnaryOp op) {
        return switch (op) {
            case EXP -> "exp";
            case TANH -> "tanh";
            case SIGMOID -> "sigmoid";
            case SILU -> "silu";
            case GELU -> "gelu";
            case GELU_TANH -> "geluTanh";
            case LOG -> "log";
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    private void push(int v) {
        if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
        else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
        else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
        else mv.visitLdcInsn(v);
    }

    /**
     * The head of a driver's span loop over {@code (arrays, inner, start, end)} (locals 0–3). With {@code rows}, the
     * span counts rows: opens the row loop at {@code rowTest} (exit to {@code rowDone}) and sets {@code base} = row ·
     * inner, {@code c} = base, {@code end} = base + inner; otherwise the span counts points: base = 0, c = start,
     * end = end.
     */
    private static void spanHeader(MethodVisitor mv, boolean rows, int row, int base, int c, int end, Label rowTest,
            Label rowDone) {
        if (rows) {
            mv.visitVarInsn(ILOAD, 2);
            mv.visitVarInsn(ISTORE, row);
            mv.visitLabel(rowTest);
            mv.visitVarInsn(ILOAD, row);
            mv.visitVarInsn(ILOAD, 3);
            mv.visitJumpInsn(IF_ICMPGE, rowDone);
            mv.visitVarInsn(ILOAD, row);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IMUL);
            mv.visitVarInsn(ISTORE, base);
            mv.visitVarInsn(ILOAD, base);
            mv.visitVarInsn(ISTORE, c);
            mv.visitVarInsn(ILOAD, base);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IADD);
            mv.visitVarInsn(ISTORE, end);
        } else {
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, base);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitVarInsn(ISTORE, c);
            mv.visitVarInsn(ILOAD, 3);
            mv.visitVarInsn(ISTORE, end);
        }
    }
}
