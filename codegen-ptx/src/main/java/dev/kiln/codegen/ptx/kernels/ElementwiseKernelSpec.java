package dev.kiln.codegen.ptx.kernels;

import dev.kiln.ir.DType;
import java.util.Arrays;
import java.util.List;

/**
 * A fused elementwise kernel: for every coordinate of {@code shape}, each output {@code k} (contiguous, of
 * {@code shape}) receives {@code outputs[k].value} evaluated on the inputs at that coordinate.
 *
 * <p>Kernel parameters, in order: one {@code .u64} device pointer per input ({@code in0, in1, ...}), then one per
 * output ({@code out0, ...}). Invariants checked here: every input index used exists, input and output types are
 * ones {@link ElementAccess} handles, and every index and element offset is below 2^31 (32-bit index arithmetic).
 */
public record ElementwiseKernelSpec(String name, long[] shape, List<TensorOperand> inputs, List<Output> outputs) {

    /** One output: its value and stored element type. */
    public record Output(ScalarExpr value, DType dtype) {}

    public ElementwiseKernelSpec {
        shape = shape.clone();
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) throw new IllegalArgumentException(where(name) + "expected at least one output, found none");
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(where(name) + "shape: expected sizes >= 0, found " + Arrays.toString(shape));
        }
        long numel = Strides.numel(shape);
        if (numel >= (1L << 31)) throw new IllegalArgumentException(where(name) + "expected fewer than 2^31 elements, found " + numel);
        for (int i = 0; i < inputs.size(); i++) {
            TensorOperand in = inputs.get(i);
            if (in.strides().length != shape.length) {
                throw new IllegalArgumentException(where(name) + "input " + i + ": expected " + shape.length
                        + " strides, found " + in.strides().length);
            }
            if (!ElementAccess.loadable(in.dtype())) {
                throw new IllegalArgumentException(where(name) + "input " + i + ": expected dtype f32, bool, i32 or i64, found "
                        + in.dtype().irName());
            }
            if (in.maxElement(shape) >= (1L << 31)) {
                throw new IllegalArgumentException(where(name) + "input " + i + ": expected element offsets below 2^31, found "
                        + in.maxElement(shape));
            }
        }
        for (int k = 0; k < outputs.size(); k++) {
            Output o = outputs.get(k);
            if (!ElementAccess.storable(o.dtype())) {
                throw new IllegalArgumentException(where(name) + "output " + k + ": expected dtype f32 or bool, found " + o.dtype().irName());
            }
            if (o.value().maxInput() >= inputs.size()) {
                throw new IllegalArgumentException(where(name) + "output " + k + ": expression reads input " + o.value().maxInput()
                        + ", but the kernel has " + inputs.size() + " inputs");
            }
        }
    }

    public long numel() { return Strides.numel(shape); }

    private static String where(String name) { return "elementwise kernel " + name + ": "; }
}
