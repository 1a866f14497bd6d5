package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.ElementwiseEngine.CHEAP_GRAIN;
import static dev.kiln.eager.kernels.ElementwiseEngine.COSTLY_GRAIN;

import dev.kiln.eager.Kernel;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.TypePromotion;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Kernels of the unary elementwise ops and activations.
 *
 * <p>Three dtype policies, as in PyTorch: <em>math functions</em> (exp, log, sqrt, rsqrt, sin, cos, reciprocal,
 * sigmoid, tanh) lift integer and bool inputs to float32; <em>activations</em> (gelu, silu, elu, leaky_relu,
 * softplus) accept floating inputs only; <em>sign and range ops</em> (abs, neg, relu, hardtanh, clamp) also work
 * on integers, in the long domain, and refuse bool. Float32 inputs of the hot ops take {@link Float32Kernels}
 * (whose transcendental functions are {@link FastMath32}'s float approximations); float64 stays on {@link Math}.
 */
final class UnaryOps {
    private UnaryOps() {}

    static void register(Map<Op, Kernel> t) {
        math(t, Op.EXP, Float32Kernels.EXP, Math::exp);
        math(t, Op.LOG, Float32Kernels.LOG, Math::log);
        math(t, Op.SQRT, Float32Kernels.SQRT, Math::sqrt);
        math(t, Op.RSQRT, null, x -> 1.0 / Math.sqrt(x));
        math(t, Op.SIN, null, Math::sin);
        math(t, Op.COS, null, Math::cos);
        math(t, Op.RECIPROCAL, null, x -> 1.0 / x);
        math(t, Op.SIGMOID, Float32Kernels.SIGMOID, ScalarMath::sigmoid);
        math(t, Op.TANH, Float32Kernels.TANH, Math::tanh);

        KernelRegistry.put(t, Op.GELU, Kernel.single(UnaryOps::gelu));
        KernelRegistry.put(t, Op.SILU, Kernel.single((in, at) ->
                floating(Op.SILU, in[0], Float32Kernels.SILU, ScalarMath::silu, COSTLY_GRAIN)));
        KernelRegistry.put(t, Op.ELU, Kernel.single((in, at) -> {
            double alpha = roundedTo(in[0], at.getScalarAsDouble("alpha"));
            return floating(Op.ELU, in[0], Float32Kernels.elu((float) alpha), x -> ScalarMath.elu(x, alpha),
                    COSTLY_GRAIN);
        }));
        KernelRegistry.put(t, Op.LEAKY_RELU, Kernel.single((in, at) -> {
            double slope = roundedTo(in[0], at.getScalarAsDouble("negative_slope"));
            return floating(Op.LEAKY_RELU, in[0], Float32Kernels.leakyRelu((float) slope),
                    x -> x > 0 ? x : x * slope, CHEAP_GRAIN);
        }));
        KernelRegistry.put(t, Op.SOFTPLUS, Kernel.single((in, at) -> {
            double beta = roundedTo(in[0], at.getScalarAsDouble("beta"));
            double threshold = roundedTo(in[0], at.getScalarAsDouble("threshold"));
            return floating(Op.SOFTPLUS, in[0], Float32Kernels.softplus((float) beta, (float) threshold),
                    x -> ScalarMath.softplus(x, beta, threshold), COSTLY_GRAIN);
        }));

        KernelRegistry.put(t, Op.ABS, Kernel.single((in, at) ->
                signed(Op.ABS, in[0], Float32Kernels.ABS, Math::abs, Math::abs)));
        KernelRegistry.put(t, Op.NEG, Kernel.single((in, at) ->
                signed(Op.NEG, in[0], Float32Kernels.NEG, x -> -x, x -> -x)));
        KernelRegistry.put(t, Op.RELU, Kernel.single((in, at) ->
                signed(Op.RELU, in[0], Float32Kernels.RELU, ScalarMath::relu, x -> x < 0 ? 0 : x)));
        KernelRegistry.put(t, Op.HARDTANH, Kernel.single(UnaryOps::hardtanh));
        KernelRegistry.put(t, Op.CLAMP, Kernel.single(UnaryOps::clamp));
        KernelRegistry.put(t, Op.LOGICAL_NOT, Kernel.single((in, at) -> ElementwiseEngine.unaryDouble(in[0],
                DType.FLOAT64, DType.BOOL, x -> x == 0 ? 1 : 0, CHEAP_GRAIN)));
    }

    /** A math function: integer and bool inputs compute in (and return) float32. */
    private static void math(Map<Op, Kernel> t, Op op, Float32Kernels.Unary fast, DoubleUnaryOperator f) {
        KernelRegistry.put(t, op, Kernel.single((in, at) -> {
            Tensor x = in[0];
            DType type = x.dtype().isFloatingPoint() ? x.dtype() : DType.DEFAULT_FLOAT;
            return run(x, type, fast, f, COSTLY_GRAIN);
        }));
    }

    /** An activation defined for floating inputs only. */
    private static Tensor floating(Op op, Tensor x, Float32Kernels.Unary fast, DoubleUnaryOperator f, int grain) {
        if (!x.dtype().isFloatingPoint()) {
            throw new KilnException(op + ": argument 'self' expected a floating-point tensor, found " + x.dtype());
        }
        return run(x, x.dtype(), fast, f, grain);
    }

    /** An op on numbers with a sign: floating in double, integral in long, bool refused. */
    private static Tensor signed(Op op, Tensor x, Float32Kernels.Unary fast, DoubleUnaryOperator fd,
            LongUnaryOperator fl) {
        DType type = x.dtype();
        if (type == DType.BOOL) {
            throw new KilnException(op + ": argument 'self' expected a numeric tensor, found bool"
                    + (op == Op.NEG ? " (use logical_not to invert a mask)" : ""));
        }
        if (type.isFloatingPoint()) return run(x, type, fast, fd, CHEAP_GRAIN);
        return ElementwiseEngine.unaryLong(x, type, type, fl);
    }

    private static Tensor run(Tensor x, DType type, Float32Kernels.Unary fast, DoubleUnaryOperator f, int grain) {
        if (fast != null && type == DType.FLOAT32 && x.dtype() == DType.FLOAT32) {
            return Float32Kernels.unary(fast, x, grain);
        }
        return ElementwiseEngine.unaryDouble(x, type, type, f, grain);
    }

    private static Tensor gelu(Tensor[] in, Attrs attrs) {
        String approximate = attrs.getString("approximate");
        return switch (approximate) {
            case "none" -> floating(Op.GELU, in[0], Float32Kernels.GELU, ScalarMath::gelu, COSTLY_GRAIN);
            case "tanh" -> floating(Op.GELU, in[0], Float32Kernels.GELU_TANH, ScalarMath::geluTanh, COSTLY_GRAIN);
            default -> throw new KilnException(Op.GELU + ": argument 'approximate' expected \"none\" or \"tanh\", "
                    + "found \"" + approximate + "\"");
        };
    }

    /** hardtanh keeps the input dtype: bounds are truncated for integer inputs (ATen's legacy rule). */
    private static Tensor hardtanh(Tensor[] in, Attrs attrs) {
        Tensor x = in[0];
        if (x.dtype() == DType.BOOL) {
            throw new KilnException(Op.HARDTANH + ": argument 'self' expected a numeric tensor, found bool");
        }
        Object lo = attrs.getScalar("min_val");
        Object hi = attrs.getScalar("max_val");
        return clampIn(x, x.dtype(), lo, hi);
    }

    /** clamp's result dtype is result_type(self, min, max), so an int tensor with float bounds gives float32. */
    private static Tensor clamp(Tensor[] in, Attrs attrs) {
        Tensor x = in[0];
        Object lo = attrs.getOrNull("min");
        Object hi = attrs.getOrNull("max");
        if (lo == null && hi == null) {
            throw new KilnException(Op.CLAMP + ": expected at least one of 'min' and 'max', found neither");
        }
        DType type = TypePromotion.resultType(x, lo == null ? null : Tensor.scalarOf(lo),
                hi == null ? null : Tensor.scalarOf(hi));
        if (type == DType.BOOL) {
            throw new KilnException(Op.CLAMP + ": argument 'self' expected a numeric tensor, found bool");
        }
        return clampIn(x, type, lo, hi);
    }

    /** Clamps {@code x} computing in {@code type}; an absent bound ({@code null}) does not limit. */
    private static Tensor clampIn(Tensor x, DType type, Object lo, Object hi) {
        if (type.isFloatingPoint()) {
            double l = lo == null ? Double.NEGATIVE_INFINITY : BinaryOps.scalarAsDouble(lo);
            double h = hi == null ? Double.POSITIVE_INFINITY : BinaryOps.scalarAsDouble(hi);
            if (type == DType.FLOAT32) {
                l = (float) l;
                h = (float) h;
            }
            double fl = l;
            double fh = h;
            return run(x, type, Float32Kernels.clamp((float) l, (float) h), v -> ScalarMath.clamp(v, fl, fh),
                    CHEAP_GRAIN);
        }
        long l = lo == null ? Long.MIN_VALUE : BinaryOps.scalarAsLong(lo);
        long h = hi == null ? Long.MAX_VALUE : BinaryOps.scalarAsLong(hi);
        return ElementwiseEngine.unaryLong(x, type, type, v -> Math.min(Math.max(v, l), h));
    }

    /** A float attribute as the compute dtype holds it (ATen converts scalars to scalar_t). */
    private static double roundedTo(Tensor x, double v) { return x.dtype() == DType.FLOAT32 ? (float) v : v; }
}
