package dev.kiln.eager.kernels;

import dev.kiln.eager.Generator;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;

/**
 * {@code rand} (uniform on [0, 1)) and {@code randn} (standard normal), float32 or float64.
 *
 * <p>Reproducibility: the elements are drawn in row-major order from {@code new Generator(seed)}, where
 * {@code seed} is the op's attribute, so the same seed always gives the same tensor; without a seed, one is drawn
 * from {@link Generator#global()}. The draw is sequential on purpose: splitting it across threads would make the
 * values depend on the thread count.
 */
final class RandomKernels {
    private RandomKernels() {}

    /** 2^24: float32 uniforms keep the top 24 bits of the double draw, as PyTorch draws 24-bit float uniforms. */
    private static final double FLOAT_STEPS = 0x1p24;

    static Tensor rand(Tensor[] in, Attrs attrs) {
        Tensor out = Tensor.empty(floatingDType(attrs, Op.RAND), FactoryKernels.shape(attrs, Op.RAND));
        Generator gen = generator(attrs);
        Object data = out.storage().array();
        if (data instanceof float[] a) {
            // Rounding a double near 1 to float could give 1.0f; truncating to 24 bits stays in [0, 1).
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (Math.floor(gen.nextUniform() * FLOAT_STEPS) / FLOAT_STEPS);
            }
        } else {
            double[] a = (double[]) data;
            for (int i = 0; i < a.length; i++) a[i] = gen.nextUniform();
        }
        return out;
    }

    static Tensor randn(Tensor[] in, Attrs attrs) {
        Tensor out = Tensor.empty(floatingDType(attrs, Op.RANDN), FactoryKernels.shape(attrs, Op.RANDN));
        Generator gen = generator(attrs);
        Object data = out.storage().array();
        if (data instanceof float[] a) {
            for (int i = 0; i < a.length; i++) a[i] = (float) gen.nextNormal();
        } else {
            double[] a = (double[]) data;
            for (int i = 0; i < a.length; i++) a[i] = gen.nextNormal();
        }
        return out;
    }

    private static Generator generator(Attrs attrs) {
        Object seed = attrs.getOrNull("seed");
        return new Generator(seed != null ? (Long) seed : Generator.global().nextSeed());
    }

    private static DType floatingDType(Attrs attrs, Op op) {
        DType dtype = attrs.getDType("dtype");
        if (!dtype.isFloatingPoint()) {
            throw new KilnException(op + ": argument 'dtype' expected a floating dtype (float32 or float64), found "
                    + dtype);
        }
        return dtype;
    }
}
