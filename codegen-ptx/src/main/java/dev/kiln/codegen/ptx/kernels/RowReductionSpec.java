package dev.kiln.codegen.ptx.kernels;

import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * A reduction over the last dim of {@code shape}, one thread block per row.
 *
 * <p>Kernel parameters, in order: {@code in0} (the input, read through {@code input}'s strides, any layout),
 * {@code weight} and {@code bias} when present (layer norm only; contiguous {@code f32} of the last dim), then
 * {@code out0} (contiguous {@code f32}: {@code shape} without its last dim for {@link Kind#reducesDim} kinds,
 * else {@code shape}). Invariants checked here: rank at least 1, input {@code f32}, fewer than 2^31 elements and
 * offsets, a non-empty last dim for {@code max} (PyTorch rejects it), weight/bias only for layer norm.
 */
public record RowReductionSpec(String name, Kind kind, long[] shape, TensorOperand input, double eps,
        boolean hasWeight, boolean hasBias) {

    public enum Kind {
        SUM(true), MEAN(true), MAX(true), SOFTMAX(false), LOG_SOFTMAX(false), LAYER_NORM(false);

        private final boolean reducesDim;

        Kind(boolean reducesDim) { this.reducesDim = reducesDim; }

        /** Whether the output drops the last dim (a plain reduction) rather than keeping the input's shape. */
        public boolean reducesDim() { return reducesDim; }
    }

    public RowReductionSpec {
        shape = shape.clone();
        String where = "row reduction kernel " + name + " (" + kind + "): ";
        if (shape.length == 0) throw new IllegalArgumentException(where + "expected rank >= 1, found a 0-d shape");
        if (input.strides().length != shape.length) {
            throw new IllegalArgumentException(where + "input: expected " + shape.length + " strides, found " + input.strides().length);
        }
        if (input.dtype() != DType.FLOAT32) throw new IllegalArgumentException(where + "input: expected f32, found " + input.dtype().irName());
        if (Strides.numel(shape) >= (1L << 31) || input.maxElement(shape) >= (1L << 31)) {
            throw new IllegalArgumentException(where + "expected fewer than 2^31 elements and offsets, found shape " + Arrays.toString(shape));
        }
        if (kind == Kind.MAX && shape[shape.length - 1] == 0) {
            throw new IllegalArgumentException(where + "expected a non-empty reduced dim, found size 0");
        }
        if ((hasWeight || hasBias) && kind != Kind.LAYER_NORM) {
            throw new IllegalArgumentException(where + "weight/bias: expected only for LAYER_NORM, found them for " + kind);
        }
    }

    /** A reduction without layer-norm parameters. */
    public static RowReductionSpec of(String name, Kind kind, long[] shape, TensorOperand input) {
        return new RowReductionSpec(name, kind, shape, input, 0, false, false);
    }

    /** Length of the reduced (last) dim. */
    public long rowLength() { return shape[shape.length - 1]; }

    /** Number of rows (product of the other dims). */
    public long rows() { return Strides.numel(Arrays.copyOf(shape, shape.length - 1)); }
}
