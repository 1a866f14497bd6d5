package dev.kiln.codegen.jvm;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;

/**
 * A GEMM-shaped op ({@code linear}, {@code matmul}/{@code mm} by a constant matrix, {@code conv2d}) whose constant
 * weight was packed once, at compile time, into off-heap memory in the layout {@code cblas_sgemm} reads
 * ({@code NoTrans}, row-major), so a call copies only its activations. The module owns the packed weight (direct
 * memory, {@link NativeFloats}, freed by the collector with the module); each execution context ({@link Frame}, one per thread and size binding) owns the operand,
 * result and pre-broadcast bias buffers of each anchor, allocated on its first call, so steady-state calls allocate
 * nothing but the result array when it escapes (and nothing when the caller gives a pooled buffer).
 */
abstract class GemmAnchor {
    /** What the report says about this anchor. */
    abstract String describe();

    /**
     * Computes the op on {@code in} (the op's inputs, constants included); the result is contiguous.
     *
     * @param slot a pooled buffer slot of {@code f} to write the result into, or -1 for a fresh array
     * @return the result's array; its shape is {@link #shape(Frame, int)}
     */
    abstract float[] run(Frame f, int id, Tensor[] in, int slot);

    /** The shape of the result of the last {@link #run} of node {@code id} in {@code f}. */
    abstract long[] shape(Frame f, int id);

    /** Tests: whether the last call of node {@code id} in {@code f} ran Vector API code (else its BLAS form). */
    boolean lastRanVector(Frame f, int id) { return false; }

    /** Adds the warm-up gates of the Vector API kernels this anchor may run ({@link AnchorGate}); none by default. */
    void gates(java.util.Set<AnchorGate> into) {}

    /** The result array: the frame's pooled buffer {@code slot}, or a fresh one. */
    static float[] result(Frame f, int slot, int n) { return slot >= 0 ? f.buffer(slot, n) : new float[n]; }

    /** Throws unless {@code t} is a float32 tensor. */
    static void requireFloat(String op, String arg, Tensor t) {
        if (t == null) throw new KilnException(op + ": argument '" + arg + "' expected a float32 tensor, found none");
        if (t.dtype() != DType.FLOAT32) {
            throw new KilnException(op + ": argument '" + arg + "' expected float32 (the compiled GEMM path), found "
                    + t.dtype().torchName());
        }
    }

    /** A copy of a float32 tensor's elements in row-major order (compile time only). */
    static float[] floats(Tensor t) {
        Tensor d = dense(t);
        float[] a = (float[]) d.storage().array();
        return java.util.Arrays.copyOfRange(a, d.storageOffset(), d.storageOffset() + (int) d.numel());
    }

    /**
     * {@code t}'s elements in row-major order as (array, offset): the tensor's own storage when it is contiguous,
     * else a contiguous copy (allocates; only for views).
     */
    static Tensor dense(Tensor t) { return t.isContiguous() ? t : t.contiguous(); }

    /**
     * The piece size for sharing {@code n} indices (panels, row blocks, units) between {@link Parallel}'s threads: a
     * quarter of a thread's share, at least one, so that a worker that wakes late still finds pieces left while each
     * piece stays long enough to pay for taking it.
     */
    static int sharePiece(int n) { return Math.max(1, n / (4 * Parallel.numThreads())); }
}
