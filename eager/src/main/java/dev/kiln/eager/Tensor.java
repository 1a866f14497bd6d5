package dev.kiln.eager;

import dev.kiln.eager.autograd.AutogradMeta;
import dev.kiln.eager.autograd.Engine;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array with PyTorch's semantics: a dtype, a shape, strides and a storage offset into a shared
 * {@link Storage}.
 *
 * <p>Every method that computes goes through the {@link Dispatcher} with its {@link Op}, so tracing and autograd
 * see every operation. Views ({@link #view}, {@link #transpose}, {@link #select}, ...) share storage with the
 * tensor they came from, exactly as in PyTorch; {@link #contiguous()} copies only when needed.
 *
 * <p>Sizes are {@code long} in the API, as in PyTorch; a tensor holds at most {@code Integer.MAX_VALUE} elements
 * (see {@link Storage}). Tensors are not synchronised: concurrent reads are safe, writes need outside ordering.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;
    private final boolean wrappedNumber;
    /** Autograd state; null for the (common) tensor that needs no gradient, so the dispatcher's test is cheap. */
    private AutogradMeta autograd;

    private Tensor(Storage storage, int[] shape, int[] strides, int offset, boolean wrappedNumber) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.wrappedNumber = wrappedNumber;
    }

    // ------------------------------------------------------------------ low-level construction (for kernels)

    /**
     * A tensor over {@code storage} with the given geometry; the arrays are copied. Throws when an element the
     * geometry can reach lies outside the storage.
     */
    public static Tensor fromStorage(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length) {
            throw new KilnException("fromStorage: shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in rank");
        }
        long lo = offset;
        long hi = offset;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) throw new KilnException("fromStorage: negative size in " + Arrays.toString(shape));
            if (shape[i] == 0) empty = true;
            long span = (long) (shape[i] - 1) * strides[i];
            if (span < 0) lo += span; else hi += span;
        }
        if (!empty && (lo < 0 || hi >= storage.length())) {
            throw new KilnException("fromStorage: shape " + Arrays.toString(shape) + ", strides "
                    + Arrays.toString(strides) + " and offset " + offset + " reach elements [" + lo + ", " + hi
                    + "] outside a storage of " + storage.length());
        }
        return new Tensor(storage, shape.clone(), strides.clone(), offset, false);
    }

    /** A fresh contiguous tensor, zero-filled. */
    public static Tensor empty(DType dtype, int... shape) {
        for (int s : shape) {
            if (s < 0) throw new KilnException("empty: expected non-negative sizes, found " + Arrays.toString(shape));
        }
        Storage st = Storage.allocate(dtype, Shapes.numel(shape));
        return new Tensor(st, shape.clone(), Shapes.contiguousStrides(shape), 0, false);
    }

    /** Wraps a contiguous array (float[], double[], int[], long[] or boolean[]) without copying. */
    public static Tensor wrap(Object array, long... shape) {
        Storage st = Storage.wrap(array);
        int[] s = Shapes.toIntShape(shape, "Tensor.wrap");
        if (Shapes.numel(s) != st.length()) {
            throw new KilnException("Tensor.wrap: shape " + Arrays.toString(shape) + " holds " + Shapes.numel(s)
                    + " elements but the array has " + st.length());
        }
        return new Tensor(st, s, Shapes.contiguousStrides(s), 0, false);
    }

    // ------------------------------------------------------------------ user-facing construction

    /** A float32 tensor holding a copy of {@code data}, shaped {@code shape} (1-d when no shape is given). */
    public static Tensor of(float[] data, long... shape) { return wrap(data.clone(), shapeOr1d(shape, data.length)); }

    public static Tensor of(double[] data, long... shape) { return wrap(data.clone(), shapeOr1d(shape, data.length)); }

    public static Tensor ofInts(int[] data, long... shape) { return wrap(data.clone(), shapeOr1d(shape, data.length)); }

    public static Tensor ofLongs(long[] data, long... shape) {
        return wrap(data.clone(), shapeOr1d(shape, data.length));
    }

    public static Tensor ofBools(boolean[] data, long... shape) {
        return wrap(data.clone(), shapeOr1d(shape, data.length));
    }

    private static long[] shapeOr1d(long[] shape, int length) {
        return shape.length == 0 ? new long[] {length} : shape;
    }

    /** A 0-d tensor (not a wrapped number: it takes part in type promotion as a tensor). */
    public static Tensor scalarTensor(double value, DType dtype) {
        Tensor t = empty(dtype);
        t.storage.setDouble(0, value);
        return t;
    }

    /**
     * A Java number as an operand, like a Python scalar in PyTorch: a 0-d "wrapped number" that does not
     * raise the dtype of tensor operands of the same category ({@code f32 tensor * 1.5} stays f32).
     */
    public static Tensor scalar(double value) { return wrapped(DType.FLOAT64, value); }

    public static Tensor scalar(long value) {
        Tensor t = new Tensor(Storage.allocate(DType.INT64, 1), new int[0], new int[0], 0, true);
        t.storage.setLong(0, value);
        return t;
    }

    public static Tensor scalar(boolean value) { return wrapped(DType.BOOL, value ? 1 : 0); }

    private static Tensor wrapped(DType dtype, double v) {
        Tensor t = new Tensor(Storage.allocate(dtype, 1), new int[0], new int[0], 0, true);
        t.storage.setDouble(0, v);
        return t;
    }

    /** A wrapped-number operand from a Java {@link Number} or {@link Boolean}. */
    public static Tensor scalarOf(Object value) {
        if (value instanceof Double || value instanceof Float) return scalar(((Number) value).doubleValue());
        if (value instanceof Number n) return scalar(n.longValue());
        if (value instanceof Boolean b) return scalar(b.booleanValue());
        throw new KilnException("expected a number or boolean scalar, found " + value);
    }

    public static Tensor zeros(long... shape) { return zeros(DType.FLOAT32, shape); }

    public static Tensor zeros(DType dtype, long... shape) {
        return Dispatcher.call1(Op.ZEROS, Attrs.of(Op.ZEROS).set("size", shape).set("dtype", dtype).build());
    }

    public static Tensor ones(long... shape) { return ones(DType.FLOAT32, shape); }

    public static Tensor ones(DType dtype, long... shape) {
        return Dispatcher.call1(Op.ONES, Attrs.of(Op.ONES).set("size", shape).set("dtype", dtype).build());
    }

    public static Tensor full(double value, long... shape) { return full(value, DType.FLOAT32, shape); }

    public static Tensor full(double value, DType dtype, long... shape) {
        return Dispatcher.call1(Op.FULL,
                Attrs.of(Op.FULL).set("size", shape).set("fill_value", value).set("dtype", dtype).build());
    }

    /** {@code [0, end)} in int64. */
    public static Tensor arange(long end) { return arange(0, end, 1); }

    /** {@code [start, end)} by {@code step}, int64. */
    public static Tensor arange(long start, long end, long step) {
        return Dispatcher.call1(Op.ARANGE,
                Attrs.of(Op.ARANGE).set("start", start).set("end", end).set("step", step).build());
    }

    /** {@code [start, end)} by {@code step}, float32 (or {@code dtype}). */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        return Dispatcher.call1(Op.ARANGE, Attrs.of(Op.ARANGE).set("start", start).set("end", end)
                .set("step", step).set("dtype", dtype).build());
    }

    /** Uniform on [0, 1) from the global generator. */
    public static Tensor rand(long... shape) { return rand(Generator.global(), shape); }

    public static Tensor rand(Generator gen, long... shape) {
        return Dispatcher.call1(Op.RAND, Attrs.of(Op.RAND).set("size", shape).set("seed", gen.nextSeed()).build());
    }

    /** Standard normal from the global generator. */
    public static Tensor randn(long... shape) { return randn(Generator.global(), shape); }

    public static Tensor randn(Generator gen, long... shape) {
        return Dispatcher.call1(Op.RANDN, Attrs.of(Op.RANDN).set("size", shape).set("seed", gen.nextSeed()).build());
    }

    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Dispatcher.call1(Op.CAT, Attrs.of(Op.CAT).set("dim", dim).build(), tensors.toArray(Tensor[]::new));
    }

    public static Tensor cat(int dim, Tensor... tensors) { return cat(List.of(tensors), dim); }

    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Dispatcher.call1(Op.STACK, Attrs.of(Op.STACK).set("dim", dim).build(), tensors.toArray(Tensor[]::new));
    }

    public static Tensor stack(int dim, Tensor... tensors) { return stack(List.of(tensors), dim); }

    /** {@code self} where {@code condition} is true, else {@code other}; all three broadcast. */
    public static Tensor where(Tensor condition, Tensor self, Tensor other) {
        return Dispatcher.call1(Op.WHERE, condition, self, other);
    }

    // ------------------------------------------------------------------ geometry

    public DType dtype() { return storage.dtype(); }

    /** The sizes, as a fresh array. */
    public long[] shape() { return TensorReads.shape(this, Shapes.toLongs(shape)); }

    /** The sizes as ints, as a fresh array. */
    public int[] intShape() { return shape.clone(); }

    /** Size of dimension {@code dim} (negative counts from the end). */
    public long size(int dim) {
        int d = Shapes.wrapDim(dim, shape.length, "Tensor.size");
        return TensorReads.size(this, d, shape[d]);
    }

    /** Number of dimensions. */
    public int dim() { return shape.length; }

    public long numel() { return Shapes.numel(shape); }

    /** Strides in elements, as a fresh array. */
    public int[] strides() { return strides.clone(); }

    public int stride(int dim) { return strides[Shapes.wrapDim(dim, shape.length, "Tensor.stride")]; }

    public int storageOffset() { return offset; }

    public Storage storage() { return storage; }

    /** Whether this 0-d tensor stands for a Java number operand (see {@link #scalar(double)}). */
    public boolean isWrappedNumber() { return wrappedNumber; }

    /** Whether the elements lie in row-major order with no gaps (sizes of 1 may have any stride). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (shape[i] == 0) return true;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    // ------------------------------------------------------------------ elementwise arithmetic

    public Tensor add(Tensor other) { return Dispatcher.call1(Op.ADD, this, other); }

    /** {@code this + alpha * other}. */
    public Tensor add(Tensor other, double alpha) {
        return Dispatcher.call1(Op.ADD, Attrs.of(Op.ADD).set("alpha", alpha).build(), this, other);
    }

    public Tensor add(double other) { return add(scalar(other)); }

    public Tensor sub(Tensor other) { return Dispatcher.call1(Op.SUB, this, other); }

    public Tensor sub(Tensor other, double alpha) {
        return Dispatcher.call1(Op.SUB, Attrs.of(Op.SUB).set("alpha", alpha).build(), this, other);
    }

    public Tensor sub(double other) { return sub(scalar(other)); }

    /** {@code other - this} (PyTorch's {@code rsub}, for {@code 1 - x}). */
    public Tensor rsub(double other) { return Dispatcher.call1(Op.SUB, scalar(other), this); }

    public Tensor mul(Tensor other) { return Dispatcher.call1(Op.MUL, this, other); }

    public Tensor mul(double other) { return mul(scalar(other)); }

    /** True division: integer inputs give a floating result. */
    public Tensor div(Tensor other) { return Dispatcher.call1(Op.DIV, this, other); }

    public Tensor div(double other) { return div(scalar(other)); }

    /** Division with {@code roundingMode} {@code "trunc"} or {@code "floor"}. */
    public Tensor div(Tensor other, String roundingMode) {
        return Dispatcher.call1(Op.DIV, Attrs.of(Op.DIV).set("rounding_mode", roundingMode).build(), this, other);
    }

    /** {@code other / this} (for {@code 1 / x}). */
    public Tensor rdiv(double other) { return Dispatcher.call1(Op.DIV, scalar(other), this); }

    public Tensor pow(Tensor exponent) { return Dispatcher.call1(Op.POW, this, exponent); }

    public Tensor pow(double exponent) { return pow(scalar(exponent)); }

    public Tensor maximum(Tensor other) { return Dispatcher.call1(Op.MAXIMUM, this, other); }

    public Tensor minimum(Tensor other) { return Dispatcher.call1(Op.MINIMUM, this, other); }

    // ------------------------------------------------------------------ comparisons and logic (bool results)

    public Tensor eq(Tensor other) { return Dispatcher.call1(Op.EQ, this, other); }

    public Tensor eq(double other) { return eq(scalar(other)); }

    public Tensor ne(Tensor other) { return Dispatcher.call1(Op.NE, this, other); }

    public Tensor ne(double other) { return ne(scalar(other)); }

    public Tensor lt(Tensor other) { return Dispatcher.call1(Op.LT, this, other); }

    public Tensor lt(double other) { return lt(scalar(other)); }

    public Tensor le(Tensor other) { return Dispatcher.call1(Op.LE, this, other); }

    public Tensor le(double other) { return le(scalar(other)); }

    public Tensor gt(Tensor other) { return Dispatcher.call1(Op.GT, this, other); }

    public Tensor gt(double other) { return gt(scalar(other)); }

    public Tensor ge(Tensor other) { return Dispatcher.call1(Op.GE, this, other); }

    public Tensor ge(double other) { return ge(scalar(other)); }

    public Tensor logicalAnd(Tensor other) { return Dispatcher.call1(Op.LOGICAL_AND, this, other); }

    public Tensor logicalOr(Tensor other) { return Dispatcher.call1(Op.LOGICAL_OR, this, other); }

    public Tensor logicalNot() { return Dispatcher.call1(Op.LOGICAL_NOT, this); }

    /** A copy with {@code value} where {@code mask} (bool, broadcastable to this) is true. */
    public Tensor maskedFill(Tensor mask, double value) {
        return Dispatcher.call1(Op.MASKED_FILL, this, mask, scalar(value));
    }

    // ------------------------------------------------------------------ elementwise unary

    public Tensor abs() { return Dispatcher.call1(Op.ABS, this); }

    public Tensor neg() { return Dispatcher.call1(Op.NEG, this); }

    public Tensor exp() { return Dispatcher.call1(Op.EXP, this); }

    public Tensor log() { return Dispatcher.call1(Op.LOG, this); }

    public Tensor sqrt() { return Dispatcher.call1(Op.SQRT, this); }

    public Tensor rsqrt() { return Dispatcher.call1(Op.RSQRT, this); }

    public Tensor sin() { return Dispatcher.call1(Op.SIN, this); }

    public Tensor cos() { return Dispatcher.call1(Op.COS, this); }

    public Tensor reciprocal() { return Dispatcher.call1(Op.RECIPROCAL, this); }

    public Tensor sigmoid() { return Dispatcher.call1(Op.SIGMOID, this); }

    public Tensor tanh() { return Dispatcher.call1(Op.TANH, this); }

    public Tensor relu() { return Dispatcher.call1(Op.RELU, this); }

    /** Exact GELU, {@code x * Φ(x)}. */
    public Tensor gelu() { return gelu("none"); }

    /** GELU with {@code approximate} {@code "none"} or {@code "tanh"}. */
    public Tensor gelu(String approximate) {
        return Dispatcher.call1(Op.GELU, Attrs.of(Op.GELU).set("approximate", approximate).build(), this);
    }

    public Tensor silu() { return Dispatcher.call1(Op.SILU, this); }

    public Tensor elu(double alpha) {
        return Dispatcher.call1(Op.ELU, Attrs.of(Op.ELU).set("alpha", alpha).build(), this);
    }

    public Tensor leakyRelu(double negativeSlope) {
        return Dispatcher.call1(Op.LEAKY_RELU, Attrs.of(Op.LEAKY_RELU).set("negative_slope", negativeSlope).build(),
                this);
    }

    public Tensor softplus(double beta, double threshold) {
        return Dispatcher.call1(Op.SOFTPLUS,
                Attrs.of(Op.SOFTPLUS).set("beta", beta).set("threshold", threshold).build(), this);
    }

    public Tensor hardtanh(double minVal, double maxVal) {
        return Dispatcher.call1(Op.HARDTANH,
                Attrs.of(Op.HARDTANH).set("min_val", minVal).set("max_val", maxVal).build(), this);
    }

    /** Clamps into {@code [min, max]}; either bound may be {@code null} (absent). */
    public Tensor clamp(Double min, Double max) {
        if (min == null && max == null) {
            throw new KilnException(Op.CLAMP + ": at least one of 'min' and 'max' must be given");
        }
        return Dispatcher.call1(Op.CLAMP, Attrs.of(Op.CLAMP).set("min", min).set("max", max).build(), this);
    }

    public Tensor clamp(double min, double max) { return clamp(Double.valueOf(min), Double.valueOf(max)); }

    /** A copy converted to {@code dtype} (floats to ints truncate toward zero, as in PyTorch). */
    public Tensor to(DType dtype) {
        return Dispatcher.call1(Op.TO_DTYPE, Attrs.of(Op.TO_DTYPE).set("dtype", dtype).build(), this);
    }

    /** A contiguous copy that shares nothing with this tensor. */
    public Tensor copy() { return Dispatcher.call1(Op.CLONE, this); }

    /** This tensor if already contiguous, else a contiguous copy. */
    public Tensor contiguous() { return isContiguous() ? this : copy(); }

    // ------------------------------------------------------------------ reductions

    /** Sum of all elements (0-d); integer and bool inputs sum to int64, as in PyTorch. */
    public Tensor sum() { return Dispatcher.call1(Op.SUM, this); }

    public Tensor sum(int dim, boolean keepdim) { return sum(new int[] {dim}, keepdim); }

    public Tensor sum(int[] dims, boolean keepdim) {
        return Dispatcher.call1(Op.SUM, Attrs.of(Op.SUM).set("dim", dims).set("keepdim", keepdim).build(), this);
    }

    /** Mean of all elements (0-d); floating inputs only, as in PyTorch. */
    public Tensor mean() { return Dispatcher.call1(Op.MEAN, this); }

    public Tensor mean(int dim, boolean keepdim) { return mean(new int[] {dim}, keepdim); }

    public Tensor mean(int[] dims, boolean keepdim) {
        return Dispatcher.call1(Op.MEAN, Attrs.of(Op.MEAN).set("dim", dims).set("keepdim", keepdim).build(), this);
    }

    /** Maximum of all elements (0-d). */
    public Tensor max() { return Dispatcher.call1(Op.MAX, this); }

    /** Maxima and their int64 indices along {@code dim} (the first index among ties, as in PyTorch on CPU). */
    public ValuesIndices max(int dim, boolean keepdim) {
        Tensor[] r = Dispatcher.call(Op.MAX_DIM, Attrs.of(Op.MAX_DIM).set("dim", dim).set("keepdim", keepdim).build(),
                this);
        return new ValuesIndices(r[0], r[1]);
    }

    public Tensor min() { return Dispatcher.call1(Op.MIN, this); }

    public ValuesIndices min(int dim, boolean keepdim) {
        Tensor[] r = Dispatcher.call(Op.MIN_DIM, Attrs.of(Op.MIN_DIM).set("dim", dim).set("keepdim", keepdim).build(),
                this);
        return new ValuesIndices(r[0], r[1]);
    }

    /** Index of the maximum in the flattened tensor (0-d int64). */
    public Tensor argmax() { return Dispatcher.call1(Op.ARGMAX, this); }

    public Tensor argmax(int dim, boolean keepdim) {
        return Dispatcher.call1(Op.ARGMAX, Attrs.of(Op.ARGMAX).set("dim", dim).set("keepdim", keepdim).build(), this);
    }

    public Tensor argmin() { return Dispatcher.call1(Op.ARGMIN, this); }

    public Tensor argmin(int dim, boolean keepdim) {
        return Dispatcher.call1(Op.ARGMIN, Attrs.of(Op.ARGMIN).set("dim", dim).set("keepdim", keepdim).build(), this);
    }

    public Tensor softmax(int dim) {
        return Dispatcher.call1(Op.SOFTMAX, Attrs.of(Op.SOFTMAX).set("dim", dim).build(), this);
    }

    public Tensor logSoftmax(int dim) {
        return Dispatcher.call1(Op.LOG_SOFTMAX, Attrs.of(Op.LOG_SOFTMAX).set("dim", dim).build(), this);
    }

    /** The result of {@code max(dim)} / {@code min(dim)}: values and int64 indices. */
    public record ValuesIndices(Tensor values, Tensor indices) {}

    // ------------------------------------------------------------------ linear algebra

    /** {@code torch.matmul}: dot, matrix-vector, matrix-matrix, or batched with broadcasting of batch dims. */
    public Tensor matmul(Tensor other) { return Dispatcher.call1(Op.MATMUL, this, other); }

    public Tensor mm(Tensor other) { return Dispatcher.call1(Op.MM, this, other); }

    public Tensor bmm(Tensor other) { return Dispatcher.call1(Op.BMM, this, other); }

    // ------------------------------------------------------------------ shape and views

    /** A view with a new shape (one size may be -1); fails when the strides do not allow a view. */
    public Tensor view(long... size) {
        return Dispatcher.call1(Op.VIEW, Attrs.of(Op.VIEW).set("size", size).build(), this);
    }

    /** Like {@link #view} but copies when a view is impossible. */
    public Tensor reshape(long... shape) {
        return Dispatcher.call1(Op.RESHAPE, Attrs.of(Op.RESHAPE).set("shape", shape).build(), this);
    }

    public Tensor transpose(int dim0, int dim1) {
        return Dispatcher.call1(Op.TRANSPOSE, Attrs.of(Op.TRANSPOSE).set("dim0", dim0).set("dim1", dim1).build(), this);
    }

    /** Transpose of a matrix (≤ 2-d), as {@code Tensor.t()}. */
    public Tensor t() {
        if (dim() > 2) throw new KilnException("t(): expected a tensor with at most 2 dimensions, found " + dim());
        return dim() < 2 ? transpose(0, 0) : transpose(0, 1);
    }

    public Tensor permute(int... dims) {
        return Dispatcher.call1(Op.PERMUTE, Attrs.of(Op.PERMUTE).set("dims", dims).build(), this);
    }

    /** The slice at {@code index} of {@code dim}, which is removed (as {@code x[:, i]}). */
    public Tensor select(int dim, long index) {
        return Dispatcher.call1(Op.SELECT, Attrs.of(Op.SELECT).set("dim", dim).set("index", index).build(), this);
    }

    /** Elements {@code start, start+step, ... < end} of {@code dim} (Python slice semantics, clamped). */
    public Tensor slice(int dim, long start, long end, long step) {
        return Dispatcher.call1(Op.SLICE, Attrs.of(Op.SLICE).set("dim", dim).set("start", start).set("end", end)
                .set("step", step).build(), this);
    }

    /** {@code length} elements of {@code dim} from {@code start}. */
    public Tensor narrow(int dim, long start, long length) {
        long size = size(dim);
        long s = start < 0 ? start + size : start;
        if (s < 0 || length < 0 || s + length > size) {
            throw new KilnException("narrow: expected start + length within [0, " + size + "] on dimension " + dim
                    + ", found start " + start + " and length " + length);
        }
        return slice(dim, s, s + length, 1);
    }

    /** A broadcast view; -1 keeps a size. */
    public Tensor expand(long... size) {
        return Dispatcher.call1(Op.EXPAND, Attrs.of(Op.EXPAND).set("size", size).build(), this);
    }

    public Tensor expandAs(Tensor other) { return expand(other.shape()); }

    /** Removes every dimension of size 1. */
    public Tensor squeeze() { return Dispatcher.call1(Op.SQUEEZE, this); }

    /** Removes {@code dim} if its size is 1 (otherwise returns a view of the same shape). */
    public Tensor squeeze(int dim) {
        return Dispatcher.call1(Op.SQUEEZE, Attrs.of(Op.SQUEEZE).set("dim", dim).build(), this);
    }

    public Tensor unsqueeze(int dim) {
        return Dispatcher.call1(Op.UNSQUEEZE, Attrs.of(Op.UNSQUEEZE).set("dim", dim).build(), this);
    }

    public Tensor flatten() { return flatten(0, -1); }

    public Tensor flatten(int startDim, int endDim) {
        return Dispatcher.call1(Op.FLATTEN,
                Attrs.of(Op.FLATTEN).set("start_dim", startDim).set("end_dim", endDim).build(), this);
    }

    /** Views of {@code splitSize} elements along {@code dim}, the last possibly smaller. */
    public List<Tensor> split(long splitSize, int dim) {
        return List.of(Dispatcher.call(Op.SPLIT,
                Attrs.of(Op.SPLIT).set("split_size", splitSize).set("dim", dim).build(), this));
    }

    /** {@code chunks} views along {@code dim} of size ceil(n / chunks) (fewer if the size runs out). */
    public List<Tensor> chunk(int chunks, int dim) {
        return List.of(Dispatcher.call(Op.CHUNK, Attrs.of(Op.CHUNK).set("chunks", chunks).set("dim", dim).build(),
                this));
    }

    /** Upper triangle of the last two dims, zero below diagonal {@code diagonal}. */
    public Tensor triu(long diagonal) {
        return Dispatcher.call1(Op.TRIU, Attrs.of(Op.TRIU).set("diagonal", diagonal).build(), this);
    }

    public Tensor tril(long diagonal) {
        return Dispatcher.call1(Op.TRIL, Attrs.of(Op.TRIL).set("diagonal", diagonal).build(), this);
    }

    // ------------------------------------------------------------------ reading values

    /** Storage index of the element at {@code index} (one index per dimension, negatives from the end). */
    public int storageIndex(long... index) {
        if (index.length != shape.length) {
            throw new KilnException("index: expected " + shape.length + " indices for shape "
                    + Arrays.toString(shape) + ", found " + index.length);
        }
        long pos = offset;
        for (int d = 0; d < shape.length; d++) {
            long i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new KilnException("index: index " + index[d] + " is out of range for dimension " + d
                        + " of size " + shape[d]);
            }
            pos += i * strides[d];
        }
        return (int) pos;
    }

    /** The element at {@code index} as a double. */
    public double getDouble(long... index) {
        return TensorReads.element(this, index, storage.getDouble(storageIndex(index)));
    }

    /** The element at {@code index} as a long (floats truncate). */
    public long getLong(long... index) {
        return TensorReads.element(this, index, storage.getLong(storageIndex(index)));
    }

    /** The value of a one-element tensor, as a double (PyTorch's {@code item()}). */
    public double item() {
        if (numel() != 1) {
            throw new KilnException("item(): expected a tensor with one element, found shape " + Arrays.toString(shape));
        }
        return TensorReads.element(this, new long[0], storage.getDouble(offset));
    }

    /** The value of a one-element tensor, as a long. */
    public long itemLong() {
        if (numel() != 1) {
            throw new KilnException("itemLong(): expected a tensor with one element, found shape "
                    + Arrays.toString(shape));
        }
        return TensorReads.element(this, new long[0], storage.getLong(offset));
    }

    /**
     * The value of a one-element tensor as a boolean (non-zero is true), as Python's {@code bool(t)}. Prefer this
     * for data-dependent branches ({@code if (x.sum().gt(0).itemBool())}): a trace guards the boolean itself, so
     * any input that takes the same branch passes the guard.
     */
    public boolean itemBool() {
        if (numel() != 1) {
            throw new KilnException("itemBool(): expected a tensor with one element, found shape "
                    + Arrays.toString(shape));
        }
        return TensorReads.element(this, new long[0], storage.getDouble(offset) != 0);
    }

    /** The elements in row-major order, converted to float. */
    public float[] toFloatArray() {
        TensorReads.bulk(this, "toFloatArray");
        return ((float[]) contiguousOf(DType.FLOAT32).storage.array()).clone();
    }

    public double[] toDoubleArray() {
        TensorReads.bulk(this, "toDoubleArray");
        return ((double[]) contiguousOf(DType.FLOAT64).storage.array()).clone();
    }

    public int[] toIntArray() {
        TensorReads.bulk(this, "toIntArray");
        return ((int[]) contiguousOf(DType.INT32).storage.array()).clone();
    }

    public long[] toLongArray() {
        TensorReads.bulk(this, "toLongArray");
        return ((long[]) contiguousOf(DType.INT64).storage.array()).clone();
    }

    public boolean[] toBoolArray() {
        TensorReads.bulk(this, "toBoolArray");
        return ((boolean[]) contiguousOf(DType.BOOL).storage.array()).clone();
    }

    /** A contiguous tensor of {@code dtype} whose storage holds exactly this tensor's elements, from offset 0. */
    private Tensor contiguousOf(DType dtype) {
        Tensor t = dtype == dtype() ? this : to(dtype);
        if (t.offset == 0 && t.isContiguous() && t.storage.length() == t.numel()) return t;
        return t.copy();
    }

    // ------------------------------------------------------------------ autograd (engine: dev.kiln.eager.autograd)

    /** Whether gradients are computed for this tensor: a leaf marked so, or the result of an op on such tensors. */
    public boolean requiresGrad() { return autograd != null && autograd.requiresGrad(); }

    /**
     * Marks this leaf as needing gradients (PyTorch's {@code requires_grad_}); returns this. Only floating
     * tensors can require gradients, and only leaves can be unmarked.
     */
    public Tensor requiresGrad(boolean requiresGrad) {
        autograd = AutogradMeta.setRequiresGrad(this, autograd, requiresGrad);
        return this;
    }

    /** Whether this tensor was not produced by a recorded op (every tensor that does not require grad is a leaf). */
    public boolean isLeaf() { return autograd == null || autograd.isLeaf(); }

    /**
     * The accumulated gradient: set by {@link #backward()} on leaves that require grad and on non-leaves that
     * called {@link #retainGrad()}; null before any backward pass.
     */
    public Tensor grad() { return autograd == null ? null : autograd.grad(); }

    /** Asks a non-leaf to keep its gradient in {@link #grad()} during backward passes; returns this. */
    public Tensor retainGrad() {
        if (!requiresGrad()) {
            throw new KilnException("retainGrad: expected a tensor that requires grad, found one that does not");
        }
        autograd.retainGrad();
        return this;
    }

    /** Backpropagates from this one-element tensor (gradient 1), accumulating into the leaves' {@link #grad()}. */
    public void backward() { Engine.backward(this, null, false); }

    /** Backpropagates {@code gradient} (same shape as this tensor) through the graph that produced this tensor. */
    public void backward(Tensor gradient) { Engine.backward(this, gradient, false); }

    /** A tensor sharing this one's storage and geometry, outside the autograd graph (a leaf, no gradient). */
    public Tensor detach() { return new Tensor(storage, shape, strides, offset, wrappedNumber); }

    /** The autograd state, or null; for the autograd engine only. */
    public AutogradMeta autogradMeta() { return autograd; }

    /** Sets the autograd state; for the autograd engine only (it attaches results of recorded ops). */
    public void setAutogradMeta(AutogradMeta meta) { autograd = meta; }

    // ------------------------------------------------------------------ comparison helpers and printing

    /** Whether both have the same shape and every element satisfies |a - b| ≤ atol + rtol·|b| (NaNs equal). */
    public boolean allClose(Tensor other, double rtol, double atol) {
        if (!Arrays.equals(shape, other.shape)) return false;
        double[] a = toDoubleArray();
        double[] b = other.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i]) && Double.isNaN(b[i])) continue;
            if (a[i] == b[i]) continue; // equal infinities
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
        }
        return true;
    }

    @Override
    public String toString() { return TensorFormatter.format(this); }
}
