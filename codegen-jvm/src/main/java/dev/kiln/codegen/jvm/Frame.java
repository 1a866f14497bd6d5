package dev.kiln.codegen.jvm;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import java.util.Map;

/**
 * The execution context of one thread at one binding of the size symbols: the bindings, each op's attributes
 * evaluated under them, and the memory plan's buffers — one {@code float[]} per pooled intermediate, allocated on
 * first use and reused by every later call with the same bindings on this thread. Never shared between threads
 * (the module keeps one per thread), so generated code may use it without locks.
 */
public final class Frame {
    final Program program;
    final Map<String, Long> bindings;
    private final Attrs[] attrs;
    private final float[][] buffers;
    /** Per pooled buffer slot: the tensor last made over it, reused while buffer and shape are the same. */
    private final Tensor[] bufferTensors;
    private final long[][] shapes;
    final Object[][] arrays;
    /** Per node id: a compiled GEMM anchor's buffers in this context ({@link GemmAnchor}), made on first use. */
    private final Object[] anchorStates;
    private final Tensor[][] anchorArgs;
    /** Per node id: the element count of a result written into a pooled buffer by an eager kernel, or -1. */
    private final int[] intoSizes;

    Frame(Program program, Map<String, Long> bindings) {
        this.program = program;
        this.bindings = Map.copyOf(bindings);
        int n = program.nodes.length;
        attrs = new Attrs[n];
        shapes = new long[n][];
        arrays = new Object[n][];
        buffers = new float[program.bufferCount][];
        bufferTensors = new Tensor[program.bufferCount];
        anchorStates = new Object[n];
        anchorArgs = new Tensor[n][];
        intoSizes = new int[n];
        java.util.Arrays.fill(intoSizes, -1);
    }

    /**
     * The element count of the result that node {@code id}'s eager kernel writes into a pooled buffer (an op with an
     * {@link Program#intoSlot}, or a fusion group's eager anchor), its shape {@code dims} evaluated once.
     */
    int intoSize(int id, dev.kiln.ir.sym.SymExpr[] dims) {
        int n = intoSizes[id];
        if (n < 0) {
            long t = 1;
            for (dev.kiln.ir.sym.SymExpr d : dims) t *= d.eval(bindings);
            if (t > Integer.MAX_VALUE) throw new KilnException("a result of " + t + " elements is over 2^31-1");
            intoSizes[id] = n = (int) t;
        }
        return n;
    }

    /** The buffers GEMM anchor node {@code id} keeps in this context, or null before its first call. */
    Object anchorState(int id) { return anchorStates[id]; }

    void anchorState(int id, Object state) { anchorStates[id] = state; }

    /** A reusable argument array of {@code n} tensors for fusion group {@code id}'s anchor (cleared after use). */
    Tensor[] anchorInputs(int id, int n) {
        Tensor[] a = anchorArgs[id];
        if (a == null) anchorArgs[id] = a = new Tensor[n];
        return a;
    }

    /** Node {@code id}'s attributes under this frame's bindings (evaluated once). */
    Attrs attrs(int id, Attrs symbolic) {
        Attrs a = attrs[id];
        if (a == null) attrs[id] = a = symbolic.evaluate(bindings);
        return a;
    }

    /** The domain shape of fused node {@code id} (evaluated once). */
    long[] shape(int id, dev.kiln.ir.sym.SymExpr[] dims) {
        long[] s = shapes[id];
        if (s == null) {
            s = new long[dims.length];
            for (int i = 0; i < s.length; i++) s[i] = dims[i].eval(bindings);
            shapes[id] = s;
        }
        return s;
    }

    /** Pooled buffer {@code slot} of {@code n} floats. Its contents are garbage from the last call. */
    float[] buffer(int slot, int n) {
        float[] b = buffers[slot];
        if (b == null || b.length != n) buffers[slot] = b = new float[n];
        return b;
    }

    /**
     * A contiguous tensor of {@code shape} over pooled buffer {@code slot}'s array {@code buf}: the one made on an
     * earlier call when buffer and shape are the same, so a steady-state call makes no wrapper for a pooled result.
     * Safe because a pooled result never leaves the call (the memory plan) and tensors are immutable.
     */
    Tensor bufferTensor(int slot, float[] buf, long[] shape) {
        Tensor t = bufferTensors[slot];
        if (t == null || t.storage().array() != buf || !sameShape(t, shape)) {
            bufferTensors[slot] = t = Tensor.wrap(buf, shape);
        }
        return t;
    }

    private static boolean sameShape(Tensor t, long[] shape) {
        if (t.dim() != shape.length) return false;
        for (int d = 0; d < shape.length; d++) if (t.size(d) != shape[d]) return false;
        return true;
    }

    /** Bytes held by this frame's pooled buffers. */
    long bufferBytes() {
        long n = 0;
        for (float[] b : buffers) if (b != null) n += 4L * b.length;
        return n;
    }
}
