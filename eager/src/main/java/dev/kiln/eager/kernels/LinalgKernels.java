package dev.kiln.eager.kernels;

import dev.kiln.eager.Kernel;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;
import java.util.Map;

/**
 * Eager kernels of the linear-algebra family: {@code mm}, {@code bmm}, {@code matmul} and {@code linear}.
 *
 * <p>Every product reduces to 2-d GEMMs on {@link Matrix} windows of the operands' storage (no copies for batch
 * slices, transposed views or broadcast batch dims), run by {@link Blas}. Outputs are fresh contiguous tensors
 * of the operands' dtype; as in PyTorch, operands must share one dtype (no promotion) and bool is refused.
 */
final class LinalgKernels {
    private LinalgKernels() {}

    static void register(Map<Op, Kernel> table) {
        KernelRegistry.put(table, Op.MM, Kernel.single((in, attrs) -> mm(in[0], in[1])));
        KernelRegistry.put(table, Op.BMM, Kernel.single((in, attrs) -> bmm(in[0], in[1])));
        KernelRegistry.put(table, Op.MATMUL, Kernel.into((in, attrs, into) -> matmul(in[0], in[1], into)));
        KernelRegistry.put(table, Op.LINEAR, Kernel.single((in, attrs) -> linear(in[0], in[1], in[2])));
    }

    // ------------------------------------------------------------------ mm / bmm

    static Tensor mm(Tensor a, Tensor b) {
        checkDtypes(Op.MM, a, b);
        checkRank(Op.MM, "self", a, 2);
        checkRank(Op.MM, "mat2", b, 2);
        checkInner(Op.MM, "mat2", a, b, a.intShape()[1], b.intShape()[0]);
        Tensor out = Tensor.empty(a.dtype(), a.intShape()[0], b.intShape()[1]);
        Gemm.gemm(Matrix.of(a), Matrix.of(b), out.storage().array(), 0);
        return out;
    }

    static Tensor bmm(Tensor a, Tensor b) {
        checkDtypes(Op.BMM, a, b);
        checkRank(Op.BMM, "self", a, 3);
        checkRank(Op.BMM, "mat2", b, 3);
        int[] sa = a.intShape();
        int[] sb = b.intShape();
        if (sa[0] != sb[0]) {
            throw new KilnException(Op.BMM + ": argument 'mat2' expected batch size " + sa[0] + " (that of 'self' "
                    + Arrays.toString(sa) + "), found " + sb[0] + " in shape " + Arrays.toString(sb));
        }
        checkInner(Op.BMM, "mat2", a, b, sa[2], sb[1]);
        Tensor out = Tensor.empty(a.dtype(), sa[0], sa[1], sb[2]);
        Batched.of(a, 3).times(Batched.of(b, 3), new int[] {sa[0]}, out);
        return out;
    }

    // ------------------------------------------------------------------ matmul

    /**
     * {@code torch.matmul}: 1-d·1-d is a dot product (0-d), a 1-d first operand is a row vector and a 1-d second
     * operand a column vector (their unit dim removed from the result), and N-d operands are stacks of matrices
     * whose batch dims broadcast.
     */
    static Tensor matmul(Tensor a, Tensor b) { return matmul(a, b, null); }

    /** {@link #matmul(Tensor, Tensor)} with the result in {@code into} when it fits ({@link Dense#resultInto}). */
    static Tensor matmul(Tensor a, Tensor b, float[] into) {
        checkDtypes(Op.MATMUL, a, b);
        if (a.dim() == 0 || b.dim() == 0) {
            throw new KilnException(Op.MATMUL + ": expected both arguments to be at least 1-d, found " + a.dim()
                    + "-d 'self' and " + b.dim() + "-d 'other'");
        }
        Batched x = Batched.of(a, a.dim());
        Batched y = Batched.of(b, b.dim()).asRightOperand(b.dim() == 1);
        if (x.cols != y.rows) {
            throw new KilnException(Op.MATMUL + ": argument 'other' expected size " + x.cols
                    + " in its " + (b.dim() == 1 ? "only" : "second-to-last") + " dimension to match the last"
                    + " dimension of 'self' " + Arrays.toString(a.intShape()) + ", found " + y.rows + " in shape "
                    + Arrays.toString(b.intShape()));
        }
        int[] batch = Shapes.broadcast(x.batchShape, y.batchShape, Op.MATMUL);
        int[] outShape = concat(batch, a.dim() >= 2 ? new int[] {x.rows} : new int[0],
                b.dim() >= 2 ? new int[] {y.cols} : new int[0]);
        Tensor out = Dense.resultInto(into, a.dtype(), outShape);
        // [B..., m, k] @ [k, n] with mergeable batch dims: one GEMM of (B·m) rows instead of B small ones.
        Matrix folded = y.batchShape.length == 0 ? x.foldedRows() : null;
        if (folded != null) {
            Gemm.gemm(folded, y.slice(y.offset), out.storage().array(), 0);
        } else {
            x.times(y, batch, out);
        }
        return out;
    }

    // ------------------------------------------------------------------ linear

    /** {@code y = x W^T + b} with {@code x [..., in]}, {@code W [out, in]}, {@code b [out]} (or null). */
    static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        checkDtypes(Op.LINEAR, x, w);
        if (bias != null && bias.dtype() != x.dtype()) {
            throw new KilnException(Op.LINEAR + ": argument 'bias' expected dtype " + x.dtype().torchName()
                    + " like 'input', found " + bias.dtype().torchName());
        }
        checkRank(Op.LINEAR, "weight", w, 2);
        if (x.dim() == 0) {
            throw new KilnException(Op.LINEAR + ": argument 'input' expected at least 1 dimension, found a 0-d tensor");
        }
        int[] xs = x.intShape();
        int[] ws = w.intShape();
        int in = xs[xs.length - 1];
        int outF = ws[0];
        if (ws[1] != in) {
            throw new KilnException(Op.LINEAR + ": argument 'weight' of shape " + Arrays.toString(ws)
                    + " expected 'input' to have " + ws[1] + " features in its last dimension, found " + in
                    + " (input shape " + Arrays.toString(xs) + ")");
        }
        if (bias != null && !(bias.dim() <= 1 && (bias.numel() == outF || bias.numel() == 1))) {
            throw new KilnException(Op.LINEAR + ": argument 'bias' expected shape [" + outF + "], found "
                    + Arrays.toString(bias.intShape()));
        }
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = outF;
        Tensor out = Tensor.empty(x.dtype(), outShape);
        int m = (int) (x.numel() / Math.max(in, 1));
        if (in == 0) m = (int) Shapes.numel(Arrays.copyOf(xs, xs.length - 1));
        Tensor xc = x;
        int rowStride = Dense.mergedStride(xs, x.strides(), 0, xs.length - 2);
        if (xs.length >= 2 && rowStride < 0) {
            xc = Dense.contiguous(x);
            rowStride = in;
        }
        Matrix a = new Matrix(xc.storage().array(), xc.storageOffset(), m, in, xs.length >= 2 ? rowStride : in,
                xc.strides()[xs.length - 1]);
        Gemm.gemm(a, Matrix.of(w).transposed(), out.storage().array(), 0);
        if (bias != null) addBias(out, m, outF, bias);
        return out;
    }

    /** Epilogue {@code out[i, j] += bias[j]} over a contiguous {@code m × n} output. */
    private static void addBias(Tensor out, int m, int n, Tensor bias) {
        double[] bv = Dense.toDoubles(bias);
        if (bv.length == 1 && n != 1) {
            double v = bv[0];
            bv = new double[n];
            Arrays.fill(bv, v);
        }
        final double[] b = bv;
        Object o = out.storage().array();
        Parallel.forRange(m, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, n)), (s, e) -> {
            for (int i = s; i < e; i++) {
                int row = i * n;
                switch (out.dtype()) {
                    case FLOAT32 -> { float[] f = (float[]) o; for (int j = 0; j < n; j++) f[row + j] += (float) b[j]; }
                    case FLOAT64 -> { double[] d = (double[]) o; for (int j = 0; j < n; j++) d[row + j] += b[j]; }
                    case INT32 -> { int[] d = (int[]) o; for (int j = 0; j < n; j++) d[row + j] += (int) b[j]; }
                    case INT64 -> { long[] d = (long[]) o; for (int j = 0; j < n; j++) d[row + j] += (long) b[j]; }
                    case BOOL -> throw new IllegalStateException("bool linear was rejected earlier");
                }
            }
        });
    }

    // ------------------------------------------------------------------ checks

    private static void checkDtypes(Op op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new KilnException(op + ": expected both operands " + a.dtype().torchName() + ", found "
                    + a.dtype().torchName() + " and " + b.dtype().torchName());
        }
        if (a.dtype() == DType.BOOL) {
            throw new KilnException(op + ": expected numeric operands (float32, float64, int32 or int64), found bool");
        }
    }

    private static void checkRank(Op op, String arg, Tensor t, int rank) {
        if (t.dim() != rank) {
            throw new KilnException(op + ": argument '" + arg + "' expected a " + rank + "-d tensor, found "
                    + t.dim() + "-d shape " + Arrays.toString(t.intShape()));
        }
    }

    private static void checkInner(Op op, String arg, Tensor a, Tensor b, int k, int found) {
        if (k != found) {
            throw new KilnException(op + ": shapes " + Arrays.toString(a.intShape()) + " and "
                    + Arrays.toString(b.intShape()) + " cannot be multiplied: argument '" + arg + "' expected " + k
                    + " rows, found " + found);
        }
    }

    private static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int i = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    /**
     * A tensor read as a stack of matrices: leading batch dims, then {@code rows × cols}. A 1-d tensor is one
     * row ({@code 1 × k}), or one column after {@link #asRightOperand(boolean)}.
     */
    private static final class Batched {
        final Object array;
        final int offset;
        final int[] batchShape;
        final int[] batchStrides;
        final int rows;
        final int cols;
        final int rowStride;
        final int colStride;

        private Batched(Object array, int offset, int[] batchShape, int[] batchStrides, int rows, int cols,
                        int rowStride, int colStride) {
            this.array = array;
            this.offset = offset;
            this.batchShape = batchShape;
            this.batchStrides = batchStrides;
            this.rows = rows;
            this.cols = cols;
            this.rowStride = rowStride;
            this.colStride = colStride;
        }

        static Batched of(Tensor t, int rank) {
            int[] s = t.intShape();
            int[] st = t.strides();
            Object arr = t.storage().array();
            if (rank == 1) return new Batched(arr, t.storageOffset(), new int[0], new int[0], 1, s[0], 0, st[0]);
            return new Batched(arr, t.storageOffset(), Arrays.copyOf(s, rank - 2), Arrays.copyOf(st, rank - 2),
                    s[rank - 2], s[rank - 1], st[rank - 2], st[rank - 1]);
        }

        /** For a 1-d right operand: the vector as a {@code k × 1} column. */
        Batched asRightOperand(boolean vector) {
            if (!vector) return this;
            return new Batched(array, offset, batchShape, batchStrides, cols, 1, colStride, 0);
        }

        Matrix slice(int off) { return new Matrix(array, off, rows, cols, rowStride, colStride); }

        /** All batch dims and the rows as one {@code (B·rows) × cols} matrix, or null when they do not merge. */
        Matrix foldedRows() {
            if (batchShape.length == 0) return null;
            int[] shape = Arrays.copyOf(batchShape, batchShape.length + 1);
            shape[batchShape.length] = rows;
            int[] strides = Arrays.copyOf(batchStrides, batchStrides.length + 1);
            strides[batchStrides.length] = rowStride;
            int rs = Dense.mergedStride(shape, strides, 0, shape.length - 1);
            if (rs < 0) return null;
            return new Matrix(array, offset, (int) Shapes.numel(shape), cols, rs, colStride);
        }

        /** {@code out[b] = this[b] · other[b]} for every index {@code b} of {@code batch} (operands broadcast). */
        void times(Batched other, int[] batch, Tensor out) {
            int[] sa = Shapes.broadcastStrides(batchShape, batchStrides, batch);
            int[] sb = Shapes.broadcastStrides(other.batchShape, other.batchStrides, batch);
            int total = (int) Shapes.numel(batch);
            int block = rows * other.cols;
            int[] idx = new int[batch.length];
            int offA = offset;
            int offB = other.offset;
            Object c = out.storage().array();
            for (int bi = 0; bi < total; bi++) {
                Gemm.gemm(slice(offA), other.slice(offB), c, bi * block);
                // Odometer step over the broadcast batch index.
                for (int d = batch.length - 1; d >= 0; d--) {
                    idx[d]++;
                    offA += sa[d];
                    offB += sb[d];
                    if (idx[d] < batch[d]) break;
                    offA -= sa[d] * batch[d];
                    offB -= sb[d] * batch[d];
                    idx[d] = 0;
                }
            }
        }
    }
}
