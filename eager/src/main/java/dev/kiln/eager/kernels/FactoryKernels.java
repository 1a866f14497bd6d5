package dev.kiln.eager.kernels;

import dev.kiln.eager.Kernel;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;
import java.util.Map;

/**
 * Registers the factories (ops with no tensor inputs) and implements the constant ones: {@code zeros},
 * {@code ones}, {@code full}. {@code arange} is {@link ArangeKernel}; {@code rand}/{@code randn} are
 * {@link RandomKernels}. Every output is a fresh contiguous tensor.
 */
final class FactoryKernels {
    private FactoryKernels() {}

    static void register(Map<Op, Kernel> table) {
        KernelRegistry.put(table, Op.ZEROS, Kernel.into(FactoryKernels::zeros));
        KernelRegistry.put(table, Op.ONES, Kernel.single(FactoryKernels::ones));
        KernelRegistry.put(table, Op.FULL, Kernel.single(FactoryKernels::full));
        KernelRegistry.put(table, Op.ARANGE, Kernel.single(ArangeKernel::arange));
        KernelRegistry.put(table, Op.RAND, Kernel.single(RandomKernels::rand));
        KernelRegistry.put(table, Op.RANDN, Kernel.single(RandomKernels::randn));
    }

    /** {@code zeros}; a float32 result in {@code into} (zero-filled here) when it fits. */
    static Tensor zeros(Tensor[] in, Attrs attrs, float[] into) {
        Tensor t = Dense.resultInto(into, attrs.getDType("dtype"), shape(attrs, Op.ZEROS));
        if (t.storage().array() == into) java.util.Arrays.fill(into, 0f); // a fresh tensor starts zero-filled
        return t;
    }

    static Tensor ones(Tensor[] in, Attrs attrs) { return filled(attrs, 1L, Op.ONES); }

    static Tensor full(Tensor[] in, Attrs attrs) { return filled(attrs, attrs.getScalar("fill_value"), Op.FULL); }

    private static Tensor filled(Attrs attrs, Object value, Op op) {
        DType dtype = attrs.getDType("dtype");
        Tensor out = Tensor.empty(dtype, shape(attrs, op));
        Object data = out.storage().array();
        String arg = op == Op.FULL ? "fill_value" : "value";
        // Convert (and range-check) once, before filling, as ATen's fill_ does.
        switch (dtype) {
            case FLOAT32 -> Arrays.fill((float[]) data, (float) ScalarConversion.toFloating(value, dtype, op, arg));
            case FLOAT64 -> Arrays.fill((double[]) data, ScalarConversion.toFloating(value, dtype, op, arg));
            case INT32 -> Arrays.fill((int[]) data, (int) ScalarConversion.toIntegral(value, dtype, op, arg));
            case INT64 -> Arrays.fill((long[]) data, ScalarConversion.toIntegral(value, dtype, op, arg));
            case BOOL -> Arrays.fill((boolean[]) data, ScalarConversion.toBool(value));
        }
        return out;
    }

    /**
     * The {@code size} attribute as an int shape: sizes must be non-negative ints and the element count must fit a
     * storage.
     */
    static int[] shape(Attrs attrs, Op op) {
        long[] size = attrs.getInts("size");
        int[] shape = new int[size.length];
        long numel = 1;
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || size[i] > Integer.MAX_VALUE) {
                throw new KilnException(op + ": argument 'size' expected sizes in [0, " + Integer.MAX_VALUE
                        + "], found dimension " + size[i] + " in " + Arrays.toString(size));
            }
            shape[i] = (int) size[i];
            numel = Math.min(numel * shape[i], MAX_NUMEL + 1); // both factors < 2^31: no overflow
        }
        if (numel > MAX_NUMEL) {
            throw new KilnException(op + ": argument 'size' expected at most " + MAX_NUMEL + " elements in all, found "
                    + "shape " + Arrays.toString(size));
        }
        return shape;
    }

    /** The most elements one storage holds (see {@code Storage.allocate}). */
    static final long MAX_NUMEL = Integer.MAX_VALUE - 8;
}
