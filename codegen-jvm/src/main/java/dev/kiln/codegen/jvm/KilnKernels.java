package dev.kiln.codegen.jvm;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.text.IrPrinter;
import java.util.Arrays;

/**
 * The runtime API generated code calls: ops without a JVM lowering through their eager kernels, or through their
 * packed GEMM/conv path when the compiler made one ({@link #op}, {@link GemmAnchor}), fusion groups
 * ({@link #fused}: the epilogue's anchor — packed or eager — then the generated loop split across threads with
 * {@link Parallel}), constants, sizes, guards, per-thread scratch arrays, and the scalar helpers the loops call for
 * ops that are not one bytecode (C2 inlines these small static methods). Public because generated classes live
 * in their own class loader; not an API for people.
 */
public final class KilnKernels {
    private KilnKernels() {}

    /** Points below which a generated loop is not split across threads. */
    static final int GRAIN = Parallel.ELEMENTWISE_GRAIN;

    private static final ThreadLocal<float[][]> FLOAT_SCRATCH = ThreadLocal.withInitial(() -> new float[0][]);
    private static final ThreadLocal<boolean[][]> BOOL_SCRATCH = ThreadLocal.withInitial(() -> new boolean[0][]);

    /** Runs top-level op node {@code id}: its packed GEMM/conv anchor when it has one, else its eager kernel. */
    public static Tensor[] op(Frame f, int id, Tensor[] in) {
        Program p = f.program;
        try {
            GemmAnchor a = p.anchors[id];
            if (a != null) {
                int slot = p.anchorSlot[id];
                float[] out = a.run(f, id, in, slot);
                long[] shape = a.shape(f, id);
                return new Tensor[] {slot >= 0 ? f.bufferTensor(slot, out, shape) : Tensor.wrap(out, shape)};
            }
            Node n = p.nodes[id];
            Op op = ((NodeKind.OpCall) n.kind()).op();
            int slot = p.intoSlot[id];
            if (slot >= 0) {
                float[] into = f.buffer(slot, f.intoSize(id, p.intoShape[id]));
                return new Tensor[] {Dispatcher.callInto(op, f.attrs(id, p.attrs[id]), into, in)};
            }
            return Dispatcher.call(op, f.attrs(id, p.attrs[id]), in);
        } catch (GuardFailedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(p, id, e);
        }
    }

    /** The tensor of a parameter or constant node. */
    public static Object constant(Frame f, int id) { return f.program.constants[id]; }

    /** {@code aten::size}: one size of a tensor, boxed as the interpreter does. */
    public static Object size(Frame f, int id, Object t) {
        return ((Tensor) t).size((int) ((NodeKind.Size) f.program.nodes[id].kind()).dim());
    }

    /** Checks a {@code kiln::guard}; fails as the interpreter does. */
    public static void guard(Frame f, int id, Object value) {
        Node n = f.program.nodes[id];
        Object expected = ((NodeKind.Guard) n.kind()).expected();
        Tensor t = (Tensor) value;
        Object found = expected instanceof Boolean ? (Object) t.itemBool()
                : expected instanceof Long ? (Object) t.itemLong() : (Object) t.item();
        if (found.equals(expected)) return;
        String where = n.source().file() == null ? "an unknown source location"
                : n.source().file() + ":" + n.source().line();
        throw new GuardFailedException("guard failed at " + where + (n.source().modulePath().isEmpty() ? ""
                : " (module " + n.source().modulePath() + ")") + ": the trace read " + expected + " from "
                + n.input(0) + " but this input gives " + found + "; the Java code there may take another branch "
                + "than the traced one (trace with Tracer.cond to keep both branches)", n.source());
    }

    /** Runs fusion group node {@code id} on its inputs; returns its outputs. */
    public static Object[] fused(Frame f, int id, Object[] in) {
        Program p = f.program;
        Program.Group g = p.groups[id];
        try {
            if (g.plan == null) {
                Tensor[] t = new Tensor[in.length];
                for (int i = 0; i < t.length; i++) t[i] = (Tensor) in[i];
                return g.fallback.run(t).toArray();
            }
            return loop(f, id, g, in);
        } catch (GuardFailedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(p, id, e);
        }
    }

    private static Object[] loop(Frame f, int id, Program.Group g, Object[] in) {
        LoopPlan plan = g.plan;
        int nOps = plan.access.length;
        int nStores = plan.kernel.stores().size();
        Object[] arrays = f.arrays[id];
        if (arrays == null) f.arrays[id] = arrays = new Object[nOps + nStores + (plan.vector ? 1 : 0)];
        if (plan.vector) {
            arrays[nOps + nStores] = g.warmup; // read by the vector driver (LoopEmitter)
            g.warmup.start(f.program.graph, g.kernel, plan);
        }
        Object anchor = null;
        if (g.anchorOp != null) {
            Tensor[] ai = f.anchorInputs(id, g.anchorInputs.length);
            for (int i = 0; i < ai.length; i++) ai[i] = g.anchorInputs[i] >= 0 ? (Tensor) in[g.anchorInputs[i]] : g.anchorConsts[i];
            // The compiled GEMM path, and an eager kernel that can (Dispatcher.callInto), write into a pooled buffer
            // (the anchor's result never leaves the group).
            if (g.gemm != null) {
                anchor = g.gemm.run(f, id, ai, g.gemmSlot);
            } else if (g.gemmSlot >= 0) {
                float[] into = f.buffer(g.gemmSlot, f.intoSize(id, g.anchorShape));
                anchor = data(Dispatcher.callInto(g.anchorOp, f.attrs(id, g.anchorAttrs), into, ai));
            } else {
                anchor = data(Dispatcher.call(g.anchorOp, f.attrs(id, g.anchorAttrs), ai)[0]);
            }
            Arrays.fill(ai, null);
        }
        for (int i = 0; i < nOps; i++) {
            if (plan.access[i] == LoopPlan.Access.UNUSED) continue;
            arrays[i] = i == g.anchorOperand ? anchor
                    : data(g.operandConsts[i] != null ? g.operandConsts[i] : (Tensor) in[i]);
        }
        long[] shape = f.shape(id, g.domain);
        long total = 1;
        for (long d : shape) total *= d;
        if (total > Integer.MAX_VALUE) {
            throw new KilnException("a generated loop covers at most 2^31-1 points, found " + Arrays.toString(shape));
        }
        int n = (int) total;
        Object[] out = new Object[nStores];
        for (int s = 0; s < nStores; s++) {
            int slot = g.bufferSlot[s];
            float[] buf = slot >= 0 ? f.buffer(slot, n) : new float[n];
            arrays[nOps + s] = buf;
            out[s] = slot >= 0 ? f.bufferTensor(slot, buf, shape) : Tensor.wrap(buf, shape);
        }
        if (n == 0) return out;
        int inner = 1;
        for (int d = shape.length - plan.rowDims; d < shape.length; d++) inner *= (int) shape[d];
        int units = plan.rowDims > 0 ? (inner == 0 ? 0 : n / inner) : n;
        int grain = plan.rowDims > 0 ? Math.max(1, GRAIN / Math.max(1, inner)) : GRAIN;
        GeneratedGraph body = f.program.graph;
        int kernel = g.kernel;
        Object[] a = arrays;
        int in2 = inner;
        VectorWarmup w = g.warmup;
        int piece = piece(units, grain);
        if (w != null && w.timeCall(n)) { // the guard: is the vector block still compiled code? (VectorWarmup)
            long t0 = System.nanoTime();
            Parallel.forRangeShared(units, piece, (s, e) -> body.run(kernel, a, in2, s, e));
            w.timed(n, System.nanoTime() - t0);
        } else {
            Parallel.forRangeShared(units, piece, (s, e) -> body.run(kernel, a, in2, s, e));
        }
        for (int i = 0; i < nOps + nStores; i++) arrays[i] = null;
        return out;
    }

    /**
     * Units per piece of a loop over {@code units} units, {@code grain} of which are worth one thread: a loop of
     * fewer than two grains runs on the calling thread alone (one piece); a longer one is cut into about
     * {@link #PIECES_PER_THREAD} pieces per thread, no smaller than a grain, that the caller and the pool's workers
     * take in turn ({@link Parallel#forRangeShared}). Why shared pieces rather than one fixed half per thread: the
     * caller computes from the start instead of parking until two woken workers are done, and a worker that wakes late
     * or shares its core with another process takes fewer pieces instead of making the caller wait for its half.
     */
    static int piece(int units, int grain) {
        if (units < 2L * grain) return Math.max(1, units);
        int pieces = PIECES_PER_THREAD * Parallel.numThreads();
        return Math.max(grain, (int) (((long) units + pieces - 1) / pieces));
    }

    /** Pieces per thread of a split loop: few enough that taking one costs nothing, enough to even out. */
    static final int PIECES_PER_THREAD = 4;

    /** Contiguous data from offset 0: the tensor's own array when it already is, else a copy. */
    static Object data(Tensor t) {
        if (!t.isContiguous() || t.storageOffset() != 0) t = t.copy();
        return t.storage().array();
    }

    private static KilnException failure(Program p, int id, RuntimeException e) {
        Node n = p.nodes[id];
        String src = n.source().isEmpty() ? "" : "   # " + n.source();
        return new KilnException("while executing " + IrPrinter.node(n) + src + ": " + e.getMessage(), e);
    }

    /** {@code n} per-thread float scratch arrays of {@link LoopPlan#BLOCK} elements. */
    public static float[][] floatScratch(int n) {
        float[][] s = FLOAT_SCRATCH.get();
        if (s.length < n) {
            float[][] t = Arrays.copyOf(s, n);
            for (int i = s.length; i < n; i++) t[i] = new float[LoopPlan.BLOCK];
            FLOAT_SCRATCH.set(t);
            s = t;
        }
        return s;
    }

    /** {@code n} per-thread boolean scratch arrays of {@link LoopPlan#BLOCK} elements. */
    public static boolean[][] boolScratch(int n) {
        boolean[][] s = BOOL_SCRATCH.get();
        if (s.length < n) {
            boolean[][] t = Arrays.copyOf(s, n);
            for (int i = s.length; i < n; i++) t[i] = new boolean[LoopPlan.BLOCK];
            BOOL_SCRATCH.set(t);
            s = t;
        }
        return s;
    }

    // ---- scalar helpers (float32 semantics of the kernel IR ops) ----

    public static int nonzero(float x) { return x != 0 ? 1 : 0; }

    public static float rsqrt(float x) { return (float) (1 / Math.sqrt(x)); }

    public static float sin(float x) { return (float) Math.sin(x); }

    public static float cos(float x) { return (float) Math.cos(x); }

    public static float elu(float x, float alpha) {
        return x > 0 ? x : alpha * dev.kiln.eager.kernels.FastMath32.expm1(x);
    }

    public static float leakyRelu(float x, float slope) { return x > 0 ? x : x * slope; }

    public static float softplus(float x, float beta, float threshold) {
        return x * beta > threshold ? x : (float) (Math.log1p(Math.exp(x * beta)) / beta);
    }

    public static float floorDiv(float a, float b) { return (float) Math.floor(a / b); }

    public static float truncDiv(float a, float b) {
        float q = a / b;
        return q < 0 ? (float) Math.ceil(q) : (float) Math.floor(q);
    }

    public static float pow(float a, float b) { return (float) Math.pow(a, b); }

    public static int eq(float a, float b) { return a == b ? 1 : 0; }

    public static int ne(float a, float b) { return a != b ? 1 : 0; }

    public static int lt(float a, float b) { return a < b ? 1 : 0; }

    public static int le(float a, float b) { return a <= b ? 1 : 0; }

    public static int gt(float a, float b) { return a > b ? 1 : 0; }

    public static int ge(float a, float b) { return a >= b ? 1 : 0; }

    public static int and(float a, float b) { return a != 0 && b != 0 ? 1 : 0; }

    public static int or(float a, float b) { return a != 0 || b != 0 ? 1 : 0; }
}
