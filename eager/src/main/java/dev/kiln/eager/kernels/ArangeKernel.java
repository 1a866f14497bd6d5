package dev.kiln.eager.kernels;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;

/**
 * {@code arange(start, end, step)} as PyTorch 1.13 computes it on the CPU.
 *
 * <p>dtype: the {@code dtype} attribute if given, else int64 when start, end and step are all integers, else
 * float32. Length: {@code ceil((end - start) / step)}, computed in double (for int64 results, from the integer
 * difference). Elements: {@code start + step * i}, computed in double for floating results and in int64 for
 * integer ones, with the bounds first converted to that accumulation type (so an int64 arange truncates a
 * fractional step, as ATen does).
 */
final class ArangeKernel {
    private ArangeKernel() {}

    static Tensor arange(Tensor[] in, Attrs attrs) {
        Object start = attrs.getScalar("start");
        Object end = attrs.getScalar("end");
        Object step = attrs.getScalar("step");
        Object given = attrs.getOrNull("dtype");
        DType dtype = given != null ? (DType) given
                : isIntegral(start) && isIntegral(end) && isIntegral(step) ? DType.DEFAULT_INT : DType.DEFAULT_FLOAT;
        return switch (dtype) {
            case INT32, INT64 -> integral(start, end, step, dtype);
            case FLOAT32, FLOAT64 -> floating(start, end, step, dtype);
            case BOOL -> throw new KilnException(Op.ARANGE + ": argument 'dtype' expected a numeric dtype (int32, "
                    + "int64, float32 or float64), found bool");
        };
    }

    /** Python's rule: booleans count as integers. */
    private static boolean isIntegral(Object scalar) { return !(scalar instanceof Double); }

    private static Tensor integral(Object startScalar, Object endScalar, Object stepScalar, DType dtype) {
        long start = ScalarConversion.toIntegral(startScalar, DType.INT64, Op.ARANGE, "start");
        long end = ScalarConversion.toIntegral(endScalar, DType.INT64, Op.ARANGE, "end");
        long step = ScalarConversion.toIntegral(stepScalar, DType.INT64, Op.ARANGE, "step");
        // ATen uses the exact integer difference only for int64 results; int32 measures in double like floats.
        double sizeD = dtype == DType.INT64 ? Math.ceil((double) (end - start) / (double) step)
                : Math.ceil((asDouble(endScalar) - asDouble(startScalar)) / asDouble(stepScalar));
        String stepText = stepScalar instanceof Double ? stepScalar + " (" + step + " as int64)"
                : stepScalar.toString();
        checkStep(step != 0, stepText);
        checkSign(Long.signum(step), Long.compare(end, start), stepText, startScalar, endScalar);
        int n = length(sizeD);
        Tensor out = Tensor.empty(dtype, n);
        Object data = out.storage().array();
        Parallel.forRange(n, Parallel.ELEMENTWISE_GRAIN, (s, e) -> {
            if (data instanceof long[] a) for (int i = s; i < e; i++) a[i] = start + step * i;
            else for (int i = s; i < e; i++) ((int[]) data)[i] = (int) (start + step * i);
        });
        return out;
    }

    private static Tensor floating(Object startScalar, Object endScalar, Object stepScalar, DType dtype) {
        double start = asDouble(startScalar);
        double end = asDouble(endScalar);
        double step = asDouble(stepScalar);
        double sizeD = Math.ceil((end - start) / step);
        checkStep(step > 0 || step < 0, stepScalar.toString()); // NaN is not a step
        if (!Double.isFinite(start) || !Double.isFinite(end)) {
            String arg = Double.isFinite(start) ? "end" : "start";
            throw new KilnException(Op.ARANGE + ": argument '" + arg + "' expected finite bounds, found unsupported "
                    + "range " + startScalar + " -> " + endScalar);
        }
        int endVsStart = end > start ? 1 : end < start ? -1 : 0; // -0.0 equals 0.0, as in C++
        checkSign(step > 0 ? 1 : -1, endVsStart, stepScalar.toString(), startScalar, endScalar);
        int n = length(sizeD);
        Tensor out = Tensor.empty(dtype, n);
        Object data = out.storage().array();
        Parallel.forRange(n, Parallel.ELEMENTWISE_GRAIN, (s, e) -> {
            if (data instanceof float[] a) for (int i = s; i < e; i++) a[i] = (float) (start + step * i);
            else for (int i = s; i < e; i++) ((double[]) data)[i] = start + step * i;
        });
        return out;
    }

    private static double asDouble(Object scalar) {
        return scalar instanceof Boolean b ? (b ? 1 : 0) : ((Number) scalar).doubleValue();
    }

    // ATen checks, in its order: nonzero step, finite bounds (floating only), step sign consistent with the bounds.

    private static void checkStep(boolean nonzero, String stepText) {
        if (!nonzero) {
            throw new KilnException(Op.ARANGE + ": argument 'step' expected a nonzero step, found " + stepText
                    + " (step must be nonzero)");
        }
    }

    /** {@code stepSign} is ±1; {@code endVsStart} compares end with start (negative, zero or positive). */
    private static void checkSign(int stepSign, int endVsStart, String stepText, Object startScalar, Object endScalar) {
        if (!((stepSign > 0 && endVsStart >= 0) || (stepSign < 0 && endVsStart <= 0))) {
            throw new KilnException(Op.ARANGE + ": argument 'step' expected a step whose sign leads from start "
                    + startScalar + " to end " + endScalar + ", found " + stepText + " (upper bound and larger bound "
                    + "inconsistent with step sign)");
        }
    }

    private static int length(double sizeD) {
        if (!(sizeD >= 0) || sizeD > FactoryKernels.MAX_NUMEL) {
            throw new KilnException(Op.ARANGE + ": expected a result of at most " + FactoryKernels.MAX_NUMEL
                    + " elements, found " + sizeD + " (invalid size, possible overflow?)");
        }
        return (int) sizeD;
    }
}
