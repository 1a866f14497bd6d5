package dev.kiln.eager.kernels;

import dev.kiln.eager.Generator;
import dev.kiln.eager.Kernel;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;
import java.util.Map;

/**
 * Eager kernels of the neural-network family. Convolution, pooling and normalisation live in their own classes
 * ({@link Conv2dKernel}, {@link PoolKernels}, {@link NormKernels}); embedding and dropout are here.
 */
final class NnKernels {
    private NnKernels() {}

    static void register(Map<Op, Kernel> table) {
        KernelRegistry.put(table, Op.CONV2D, Kernel.single((in, a) -> Conv2dKernel.apply(in[0], in[1], in[2], a)));
        KernelRegistry.put(table, Op.MAX_POOL2D, Kernel.into((in, a, into) -> PoolKernels.maxPool2d(in[0], a, into)));
        KernelRegistry.put(table, Op.AVG_POOL2D, Kernel.single((in, a) -> PoolKernels.avgPool2d(in[0], a)));
        KernelRegistry.put(table, Op.ADAPTIVE_AVG_POOL2D,
                Kernel.single((in, a) -> PoolKernels.adaptiveAvgPool2d(in[0], a)));
        KernelRegistry.put(table, Op.BATCH_NORM,
                Kernel.single((in, a) -> NormKernels.batchNorm(in[0], in[1], in[2], in[3], in[4], a)));
        KernelRegistry.put(table, Op.LAYER_NORM,
                Kernel.into((in, a, into) -> NormKernels.layerNorm(in[0], in[1], in[2], a, into)));
        KernelRegistry.put(table, Op.EMBEDDING, Kernel.into((in, a, into) -> embedding(in[0], in[1], a, into)));
        KernelRegistry.put(table, Op.DROPOUT, Kernel.single((in, a) -> dropout(in[0], a)));
    }

    // ------------------------------------------------------------------ embedding

    /**
     * Rows of {@code weight [V, D]} picked by {@code indices} (int32 or int64, any shape): the result has shape
     * {@code indices.shape + [D]} and the weight's dtype. {@code padding_idx} only matters for gradients.
     */
    /** Rows of {@code weight} picked by {@code indices}; the result in {@code into} when it fits. */
    static Tensor embedding(Tensor weight, Tensor indices, Attrs attrs, float[] into) {
        if (weight.dim() != 2) {
            throw new KilnException(attrs.op() + ": argument 'weight' expected a 2-d tensor [num_embeddings, "
                    + "embedding_dim], found " + weight.dim() + "-d shape " + Arrays.toString(weight.intShape()));
        }
        if (indices.dtype() != DType.INT32 && indices.dtype() != DType.INT64) {
            throw new KilnException(attrs.op() + ": argument 'indices' expected dtype int32 or int64, found "
                    + indices.dtype().torchName());
        }
        int vocab = weight.intShape()[0];
        int dim = weight.intShape()[1];
        long[] idx = indexValues(indices);
        for (long i : idx) {
            if (i < 0 || i >= vocab) {
                throw new KilnException(attrs.op() + ": argument 'indices' expected values in [0, " + vocab
                        + ") (the vocabulary size of 'weight'), found index " + i);
            }
        }
        int[] is = indices.intShape();
        int[] outShape = Arrays.copyOf(is, is.length + 1);
        outShape[is.length] = dim;
        Tensor out = Dense.resultInto(into, weight.dtype(), outShape);
        Tensor w = Dense.contiguous(weight);
        Object src = w.storage().array();
        Object dst = out.storage().array();
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(src, w.storageOffset() + (int) idx[r] * dim, dst, r * dim, dim);
        }
        return out;
    }

    private static long[] indexValues(Tensor indices) {
        Tensor c = Dense.contiguous(indices);
        int n = (int) c.numel();
        int off = c.storageOffset();
        long[] out = new long[n];
        if (c.dtype() == DType.INT64) {
            System.arraycopy(c.storage().longs(), off, out, 0, n);
        } else {
            int[] a = c.storage().ints();
            for (int i = 0; i < n; i++) out[i] = a[off + i];
        }
        return out;
    }

    // ------------------------------------------------------------------ dropout

    /**
     * Eval ({@code train=false}): a copy. Training: each element is kept with probability {@code 1 − p} and
     * scaled by {@code 1/(1 − p)}, else zeroed, as {@code input * mask} (so a dropped NaN stays NaN, as in
     * PyTorch). The mask is drawn in row-major order from {@code new Generator(seed)} (from the global
     * generator when the call carries no seed), so the same seed gives the same mask. {@code p = 1} multiplies
     * by zero.
     */
    static Tensor dropout(Tensor input, Attrs attrs) {
        double p = attrs.getFloat("p");
        if (!(p >= 0 && p <= 1)) {
            throw new KilnException(attrs.op() + ": argument 'p' expected a probability in [0, 1], found " + p);
        }
        boolean train = attrs.getBool("train");
        if (!train) return input.isContiguous() ? copyOf(input) : Dense.contiguous(input);
        NnArgs.requireFloating(attrs, "input", input);
        Object seed = attrs.getOrNull("seed");
        Generator gen = new Generator(seed != null ? (Long) seed : Generator.global().nextSeed());
        double[] x = Dense.toDoubles(input);
        boolean f32 = input.dtype() == DType.FLOAT32;
        // The kept elements' factor, rounded to the tensor's dtype as PyTorch's mask tensor is.
        double scale = p == 1 ? 0 : f32 ? (float) (1.0f / (float) (1 - p)) : 1.0 / (1 - p);
        double keep = 1 - p;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double m = p == 1 ? 0 : gen.nextUniform() < keep ? scale : 0;
            y[i] = x[i] * m;
        }
        return Dense.fromDoubles(input.dtype(), input.intShape(), y);
    }

    /** A fresh contiguous copy of a contiguous tensor. */
    private static Tensor copyOf(Tensor t) {
        Tensor out = Tensor.empty(t.dtype(), t.intShape());
        System.arraycopy(t.storage().array(), t.storageOffset(), out.storage().array(), 0,
                (int) Shapes.numel(t.intShape()));
        return out;
    }
}
