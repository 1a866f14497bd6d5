package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.KernelTestSupport.assertClose;
import static dev.kiln.eager.kernels.KernelTestSupport.assertFails;
import static dev.kiln.eager.kernels.KernelTestSupport.assertShape;
import static dev.kiln.eager.kernels.KernelTestSupport.randomFloats;
import static dev.kiln.eager.kernels.KernelTestSupport.tensor;
import static dev.kiln.eager.kernels.KernelTestSupport.transposed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.OpTrait;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every elementwise op against float64 references computed here by plain loops. */
class ElementwiseKernelsTest {

    // ------------------------------------------------------------------ coverage

    @Test
    void everyElementwiseAndReductionOpHasAKernel() {
        for (Op op : Op.values()) {
            if (op.has(OpTrait.ELEMENTWISE) || op.has(OpTrait.REDUCTION)) {
                assertTrue(KernelRegistry.table().containsKey(op), "no kernel for " + op);
            }
        }
    }

    // ------------------------------------------------------------------ unary ops

    /** name, op under test, reference, input range. */
    static Stream<Arguments> unaryOps() {
        double c = Math.sqrt(2 / Math.PI);
        return Stream.of(
                unary("abs", Tensor::abs, Math::abs, -3, 3),
                unary("neg", Tensor::neg, x -> -x, -3, 3),
                unary("exp", Tensor::exp, Math::exp, -5, 5),
                unary("log", Tensor::log, Math::log, 0.01, 10),
                unary("sqrt", Tensor::sqrt, Math::sqrt, 0, 10),
                unary("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), 0.01, 10),
                unary("sin", Tensor::sin, Math::sin, -6, 6),
                unary("cos", Tensor::cos, Math::cos, -6, 6),
                unary("reciprocal", Tensor::reciprocal, x -> 1 / x, 0.1, 5),
                unary("sigmoid", Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x)), -10, 10),
                unary("tanh", Tensor::tanh, Math::tanh, -4, 4),
                unary("relu", Tensor::relu, x -> x > 0 ? x : 0, -3, 3),
                unary("gelu", Tensor::gelu, HighPrecision::gelu, -5, 5),
                unary("gelu_tanh", t -> t.gelu("tanh"),
                        x -> 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x))), -5, 5),
                unary("silu", Tensor::silu, x -> x / (1 + Math.exp(-x)), -8, 8),
                unary("elu", t -> t.elu(0.7), x -> x > 0 ? x : 0.7 * (Math.exp(x) - 1), -4, 4),
                unary("leaky_relu", t -> t.leakyRelu(0.2), x -> x > 0 ? x : 0.2 * x, -4, 4),
                unary("softplus", t -> t.softplus(2, 3), x -> 2 * x > 3 ? x : Math.log(1 + Math.exp(2 * x)) / 2, -4, 4),
                unary("hardtanh", t -> t.hardtanh(-0.5, 0.75), x -> Math.min(Math.max(x, -0.5), 0.75), -2, 2),
                unary("clamp", t -> t.clamp(-0.25, 0.5), x -> Math.min(Math.max(x, -0.25), 0.5), -2, 2),
                unary("clamp_min", t -> t.clamp(-0.25, null), x -> Math.max(x, -0.25), -2, 2),
                unary("clamp_max", t -> t.clamp(null, 0.5), x -> Math.min(x, 0.5), -2, 2));
    }

    private static Arguments unary(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double lo,
            double hi) {
        return Arguments.of(name, op, ref, lo, hi);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryOps")
    void unaryOpMatchesReferenceInFloat32AndFloat64(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref,
            double lo, double hi) {
        double[] v = randomFloats(name.hashCode(), 35, lo, hi);
        double[] expected = new double[v.length];
        for (int i = 0; i < v.length; i++) expected[i] = ref.applyAsDouble(v[i]);

        Tensor f32 = op.apply(tensor(DType.FLOAT32, v, 5, 7));
        assertEquals(DType.FLOAT32, f32.dtype());
        assertShape(f32, 5, 7);
        assertClose(expected, f32, 1e-6, 1e-7);

        Tensor view = op.apply(transposed(DType.FLOAT32, v, 5, 7));
        assertTrue(view.isContiguous());
        assertClose(expected, view, 1e-6, 1e-7);

        Tensor f64 = op.apply(tensor(DType.FLOAT64, v, 5, 7));
        assertEquals(DType.FLOAT64, f64.dtype());
        assertClose(expected, f64, 1e-12, 1e-14);

        Tensor f64View = op.apply(transposed(DType.FLOAT64, v, 5, 7));
        assertClose(expected, f64View, 1e-12, 1e-14);

        Tensor zeroD = op.apply(Tensor.scalarTensor(v[0], DType.FLOAT32));
        assertShape(zeroD);
        assertClose(new double[] {expected[0]}, zeroD, 1e-6, 1e-7);

        Tensor empty = op.apply(Tensor.empty(DType.FLOAT32, 0, 4));
        assertShape(empty, 0, 4);
    }

    @Test
    void largeUnaryInputsUseAllThreadsAndStayCorrect() {
        int n = 200_003;
        double[] v = randomFloats(7, n, -6, 6);
        double[] ref = new double[n];
        for (int i = 0; i < n; i++) ref[i] = 1 / (1 + Math.exp(-v[i]));
        assertClose(ref, tensor(DType.FLOAT32, v).sigmoid(), 1e-6, 1e-7);
        // a non-contiguous view of the same size: every other element of a longer storage
        double[] wide = new double[2 * n];
        for (int i = 0; i < n; i++) wide[2 * i] = v[i];
        Tensor strided = Tensor.fromStorage(tensor(DType.FLOAT32, wide).storage(), new int[] {n}, new int[] {2}, 0);
        assertClose(ref, strided.sigmoid(), 1e-6, 1e-7);
    }

    @Test
    void mathFunctionsLiftIntegersToFloat32() {
        Tensor i = Tensor.ofLongs(new long[] {1, 4, 9});
        Tensor s = i.sqrt();
        assertEquals(DType.FLOAT32, s.dtype());
        assertArrayEquals(new float[] {1, 2, 3}, s.toFloatArray());
        assertEquals(DType.FLOAT32, Tensor.ofBools(new boolean[] {true, false}).exp().dtype());
        assertClose(new double[] {Math.exp(1), 1}, Tensor.ofBools(new boolean[] {true, false}).exp(), 1e-6, 0);
        assertEquals(DType.FLOAT32, Tensor.ofInts(new int[] {2}).reciprocal().dtype());
        assertEquals(0.5f, Tensor.ofInts(new int[] {2}).reciprocal().toFloatArray()[0]);
    }

    @Test
    void signAndRangeOpsKeepIntegerDtypes() {
        Tensor i = Tensor.ofInts(new int[] {-3, 0, 5});
        assertEquals(DType.INT32, i.abs().dtype());
        assertArrayEquals(new int[] {3, 0, 5}, i.abs().toIntArray());
        assertArrayEquals(new int[] {3, 0, -5}, i.neg().toIntArray());
        assertArrayEquals(new int[] {0, 0, 5}, i.relu().toIntArray());
        assertArrayEquals(new int[] {-1, 0, 1}, i.hardtanh(-1.5, 1.5).toIntArray()); // bounds truncate to ±1
        assertEquals(DType.INT32, i.hardtanh(-1.5, 1.5).dtype());
        Tensor l = Tensor.ofLongs(new long[] {Long.MIN_VALUE + 1, 7});
        assertArrayEquals(new long[] {Long.MAX_VALUE, -7}, l.neg().toLongArray());
    }

    @Test
    void clampResultDtypeFollowsResultTypeOfSelfAndBounds() {
        Tensor i = Tensor.ofLongs(new long[] {-3, 0, 5});
        Tensor withIntBounds = Dispatcher.call1(Op.CLAMP, Attrs.of(Op.CLAMP).set("min", -1L).set("max", 2L).build(), i);
        assertEquals(DType.INT64, withIntBounds.dtype());
        assertArrayEquals(new long[] {-1, 0, 2}, withIntBounds.toLongArray());
        Tensor withFloatBounds = i.clamp(-0.5, 2.5);
        assertEquals(DType.FLOAT32, withFloatBounds.dtype());
        assertArrayEquals(new float[] {-0.5f, 0f, 2.5f}, withFloatBounds.toFloatArray());
        Tensor f = Tensor.of(new float[] {-3, 0.25f, 5});
        assertEquals(DType.FLOAT32, f.clamp(-1.0, 1.0).dtype());
        // min > max: everything becomes max, as in PyTorch
        assertArrayEquals(new float[] {0, 0, 0}, f.clamp(1.0, 0.0).toFloatArray());
        Tensor d = Tensor.of(new double[] {-3, 0.1, 5});
        assertEquals(DType.FLOAT64, d.clamp(-1.0, 1.0).dtype());
        assertArrayEquals(new double[] {-1, 0.1, 1}, d.clamp(-1.0, 1.0).toDoubleArray());
    }

    @Test
    void unarySpecialValues() {
        Tensor x = Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 0f});
        float[] relu = x.relu().toFloatArray();
        assertTrue(Float.isNaN(relu[0]));
        assertEquals(Float.POSITIVE_INFINITY, relu[1]);
        assertEquals(0f, relu[2]);
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(relu[3]), "relu keeps -0.0 as ATen");
        float[] abs = x.abs().toFloatArray();
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(abs[3]));
        assertEquals(Float.POSITIVE_INFINITY, abs[2]);
        float[] neg = x.neg().toFloatArray();
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(neg[3]));
        float[] sig = x.sigmoid().toFloatArray();
        assertTrue(Float.isNaN(sig[0]));
        assertArrayEquals(new float[] {1f, 0f, 0.5f, 0.5f}, new float[] {sig[1], sig[2], sig[3], sig[4]});
        float[] exp = x.exp().toFloatArray();
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 0f, 1f, 1f}, new float[] {exp[1], exp[2], exp[3], exp[4]});
        float[] log = x.log().toFloatArray();
        assertEquals(Float.NEGATIVE_INFINITY, log[3]);
        assertEquals(Float.NEGATIVE_INFINITY, log[4]);
        assertTrue(Float.isNaN(Tensor.of(new float[] {-1}).log().toFloatArray()[0]));
        assertTrue(Float.isNaN(Tensor.of(new float[] {-1}).sqrt().toFloatArray()[0]));
        float[] gelu = x.gelu().toFloatArray();
        assertTrue(Float.isNaN(gelu[0]));
        assertEquals(Float.POSITIVE_INFINITY, gelu[1]);
        assertTrue(Float.isNaN(Tensor.of(new float[] {Float.NaN}).clamp(-1.0, 1.0).toFloatArray()[0]));
        assertArrayEquals(new float[] {1, 1, -1}, Tensor.of(new float[] {Float.POSITIVE_INFINITY, 3, -7})
                .clamp(-1.0, 1.0).toFloatArray());
        assertEquals(1000f, Tensor.of(new float[] {1000}).softplus(1, 20).toFloatArray()[0]);
        assertEquals(-0.5f, Tensor.of(new float[] {Float.NEGATIVE_INFINITY}).elu(0.5).toFloatArray()[0]);
        assertEquals(Float.POSITIVE_INFINITY, Tensor.of(new float[] {0f}).reciprocal().toFloatArray()[0]);
        assertEquals(Float.NEGATIVE_INFINITY, Tensor.of(new float[] {-0.0f}).reciprocal().toFloatArray()[0]);
    }

    @Test
    void logicalNotTreatsNaNAndNonzeroAsTrue() {
        Tensor x = Tensor.of(new float[] {0f, -0.0f, Float.NaN, 2.5f});
        assertArrayEquals(new boolean[] {true, true, false, false}, x.logicalNot().toBoolArray());
        assertArrayEquals(new boolean[] {false, true},
                Tensor.ofLongs(new long[] {Long.MIN_VALUE, 0}).logicalNot().toBoolArray());
    }

    // ------------------------------------------------------------------ binary ops

    static Stream<Arguments> binaryOps() {
        return Stream.of(
                binary("add", Tensor::add, Double::sum),
                binary("sub", Tensor::sub, (a, b) -> a - b),
                binary("mul", Tensor::mul, (a, b) -> a * b),
                binary("div", Tensor::div, (a, b) -> a / b),
                binary("pow", Tensor::pow, Math::pow),
                binary("maximum", Tensor::maximum, Math::max),
                binary("minimum", Tensor::minimum, Math::min),
                binary("add_alpha", (a, b) -> a.add(b, 2.5), (a, b) -> a + 2.5 * b),
                binary("sub_alpha", (a, b) -> a.sub(b, 0.5), (a, b) -> a - 0.5 * b),
                binary("div_trunc", (a, b) -> a.div(b, "trunc"), (a, b) -> trunc(a / b)),
                binary("div_floor", (a, b) -> a.div(b, "floor"), (a, b) -> Math.floor(a / b)));
    }

    private static double trunc(double v) { return v < 0 ? Math.ceil(v) : Math.floor(v); }

    private static Arguments binary(String name, java.util.function.BinaryOperator<Tensor> op, DoubleBinaryOperator ref) {
        return Arguments.of(name, op, ref);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryOps")
    void binaryOpBroadcastsAcrossLayoutsAndDtypes(String name, java.util.function.BinaryOperator<Tensor> op,
            DoubleBinaryOperator ref) {
        // a: [2, 3, 4]; b: [3, 1] broadcast to [2, 3, 4]
        double[] a = randomFloats(name.hashCode(), 24, 0.5, 4);
        double[] b = randomFloats(name.hashCode() + 1, 3, 0.5, 3);
        double[] expected = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) expected[(i * 3 + j) * 4 + k] = ref.applyAsDouble(a[(i * 3 + j) * 4 + k], b[j]);
            }
        }
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double rtol = dtype == DType.FLOAT32 ? 1e-6 : 1e-13;
            Tensor r = op.apply(tensor(dtype, a, 2, 3, 4), tensor(dtype, b, 3, 1));
            assertEquals(dtype, r.dtype());
            assertShape(r, 2, 3, 4);
            assertClose(expected, r, rtol, 1e-12);
        }
        // both operands non-contiguous: [6, 4] from a transposed layout, other [6, 4] transposed too
        double[] c = randomFloats(name.hashCode() + 2, 24, 0.5, 3);
        double[] expected2 = new double[24];
        for (int i = 0; i < 24; i++) expected2[i] = ref.applyAsDouble(a[i], c[i]);
        Tensor r2 = op.apply(transposed(DType.FLOAT32, a, 6, 4), transposed(DType.FLOAT32, c, 6, 4));
        assertClose(expected2, r2, 1e-6, 1e-12);
        Tensor r3 = op.apply(tensor(DType.FLOAT32, a, 6, 4), transposed(DType.FLOAT32, c, 6, 4));
        assertClose(expected2, r3, 1e-6, 1e-12);
        // tensor with a scalar on either side, and a 0-d tensor
        double s = b[0];
        double[] expected3 = new double[24];
        double[] expected4 = new double[24];
        for (int i = 0; i < 24; i++) {
            expected3[i] = ref.applyAsDouble(a[i], s);
            expected4[i] = ref.applyAsDouble(s, a[i]);
        }
        assertClose(expected3, op.apply(tensor(DType.FLOAT32, a, 6, 4), Tensor.scalar(s)), 1e-6, 1e-12);
        assertClose(expected4, op.apply(Tensor.scalar(s), tensor(DType.FLOAT32, a, 6, 4)), 1e-6, 1e-12);
        assertClose(expected3, op.apply(transposed(DType.FLOAT32, a, 6, 4), Tensor.scalarTensor(s, DType.FLOAT32)),
                1e-6, 1e-12);
        // 0-d with 0-d, and empty
        Tensor zz = op.apply(Tensor.scalarTensor(a[0], DType.FLOAT64), Tensor.scalarTensor(s, DType.FLOAT64));
        assertShape(zz);
        assertClose(new double[] {ref.applyAsDouble(a[0], s)}, zz, 1e-13, 0);
        assertShape(op.apply(Tensor.empty(DType.FLOAT32, 0, 3), tensor(DType.FLOAT32, new double[] {1, 2, 3})), 0, 3);
    }

    @Test
    void largeBinaryInputsAcrossThreads() {
        int rows = 300;
        int cols = 1001;
        double[] a = randomFloats(11, rows * cols, -2, 2);
        double[] b = randomFloats(12, cols, -2, 2);
        double[] expected = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) expected[i * cols + j] = a[i * cols + j] * b[j];
        }
        assertClose(expected, tensor(DType.FLOAT32, a, rows, cols).mul(tensor(DType.FLOAT32, b, cols)), 1e-6, 0);
        double[] sum = new double[rows * cols];
        for (int i = 0; i < sum.length; i++) sum[i] = a[i] + 0.25;
        assertClose(sum, tensor(DType.FLOAT32, a, rows, cols).add(0.25), 1e-6, 0);
        assertClose(sum, transposed(DType.FLOAT64, a, rows, cols).add(0.25), 1e-15, 0);
    }

    @Test
    void float32ArithmeticWithScalarsRoundsTheScalarToFloatFirst() {
        float x = 3.3f;
        Tensor t = Tensor.of(new float[] {x});
        assertEquals(x * 0.1f, t.mul(0.1).toFloatArray()[0]);
        assertEquals(x + 0.1f, t.add(0.1).toFloatArray()[0]);
        assertEquals(1f - x, t.rsub(1.0).toFloatArray()[0]);
        assertEquals(1f / x, t.rdiv(1.0).toFloatArray()[0]);
        assertEquals(x / 0.3f, t.div(0.3).toFloatArray()[0]);
    }

    @Test
    void integerArithmeticStaysExactInLong() {
        long big = (1L << 60) + 1;
        Tensor a = Tensor.ofLongs(new long[] {big, -7, 7});
        Tensor b = Tensor.ofLongs(new long[] {1, 2, -2});
        assertArrayEquals(new long[] {big + 1, -5, 5}, a.add(b).toLongArray());
        assertArrayEquals(new long[] {big - 1, -9, 9}, a.sub(b).toLongArray());
        assertArrayEquals(new long[] {big, -14, -14}, a.mul(b).toLongArray());
        assertArrayEquals(new long[] {big + 3, -1, 1}, Dispatcher.call1(Op.ADD, Attrs.of(Op.ADD).set("alpha", 3L).build(), a, b).toLongArray());
        assertArrayEquals(new long[] {big, -3, -3}, a.div(b, "trunc").toLongArray());
        assertArrayEquals(new long[] {big, -4, -4}, a.div(b, "floor").toLongArray());
        assertArrayEquals(new long[] {big, 49, 49}, a.pow(Tensor.ofLongs(new long[] {1, 2, 2})).toLongArray());
        assertArrayEquals(new long[] {big, 2, 7}, a.maximum(b).toLongArray());
        Tensor i32 = Tensor.ofInts(new int[] {Integer.MAX_VALUE});
        assertArrayEquals(new int[] {Integer.MIN_VALUE}, i32.add(Tensor.ofInts(new int[] {1})).toIntArray(),
                "int32 arithmetic wraps");
        assertArrayEquals(new long[] {8, 1, 0}, Tensor.ofLongs(new long[] {2, 1, 2}).pow(
                Tensor.ofLongs(new long[] {3, -5, -1})).toLongArray(), "negative tensor exponents as ATen powi");
    }

    @Test
    void floatFloorAndTruncDivisionOnNegativesAndZero() {
        Tensor a = Tensor.of(new float[] {-7, 7, -7, 5, 0, 1});
        Tensor b = Tensor.of(new float[] {2, -2, -2, 0, 0, -0.0f});
        float[] floor = a.div(b, "floor").toFloatArray();
        assertArrayEquals(new float[] {-4, -4, 3, Float.POSITIVE_INFINITY}, new float[] {floor[0], floor[1], floor[2], floor[3]});
        assertTrue(Float.isNaN(floor[4]));
        assertEquals(Float.NEGATIVE_INFINITY, floor[5]);
        float[] trunc = a.div(b, "trunc").toFloatArray();
        assertArrayEquals(new float[] {-3, -3, 3, Float.POSITIVE_INFINITY}, new float[] {trunc[0], trunc[1], trunc[2], trunc[3]});
        float[] tru = a.div(b).toFloatArray();
        assertEquals(Float.POSITIVE_INFINITY, tru[3]);
        assertTrue(Float.isNaN(tru[4]));
        assertEquals(Float.NEGATIVE_INFINITY, tru[5]);
    }

    @Test
    void maximumAndMinimumPropagateNaN() {
        Tensor a = Tensor.of(new float[] {Float.NaN, 1, 2, Float.NEGATIVE_INFINITY});
        Tensor b = Tensor.of(new float[] {0, Float.NaN, 3, 5});
        float[] max = a.maximum(b).toFloatArray();
        float[] min = a.minimum(b).toFloatArray();
        assertTrue(Float.isNaN(max[0]) && Float.isNaN(max[1]) && Float.isNaN(min[0]) && Float.isNaN(min[1]));
        assertEquals(3f, max[2]);
        assertEquals(2f, min[2]);
        assertEquals(Float.NEGATIVE_INFINITY, min[3]);
        assertArrayEquals(new boolean[] {true, true}, Tensor.ofBools(new boolean[] {true, false})
                .maximum(Tensor.ofBools(new boolean[] {false, true})).toBoolArray());
    }

    @Test
    void comparisonsReturnBoolAndCompareInThePromotedType() {
        Tensor a = Tensor.of(new float[] {1, 2, Float.NaN, 4});
        Tensor b = Tensor.of(new float[] {1, 3, Float.NaN, 3});
        assertArrayEquals(new boolean[] {true, false, false, false}, a.eq(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, true, true}, a.ne(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, false, false}, a.lt(b).toBoolArray());
        assertArrayEquals(new boolean[] {true, true, false, false}, a.le(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, false, false, true}, a.gt(b).toBoolArray());
        assertArrayEquals(new boolean[] {true, false, false, true}, a.ge(b).toBoolArray());
        assertEquals(DType.BOOL, a.eq(b).dtype());
        // int tensor vs 2.5 compares in float32: 2 < 2.5
        Tensor i = Tensor.ofLongs(new long[] {2, 3});
        assertArrayEquals(new boolean[] {true, false}, i.lt(2.5).toBoolArray());
        assertArrayEquals(new boolean[] {false, false}, i.eq(2.5).toBoolArray());
        // int64 values beyond 2^53 compare exactly
        long big = 1L << 60;
        assertArrayEquals(new boolean[] {false}, Tensor.ofLongs(new long[] {big}).eq(Tensor.ofLongs(new long[] {big + 1}))
                .toBoolArray());
        // broadcast [3,1] vs [4] -> [3,4]
        Tensor col = Tensor.of(new float[] {0, 1, 2}, 3, 1);
        Tensor row = Tensor.of(new float[] {0, 1, 2, 3});
        Tensor ge = col.ge(row);
        assertShape(ge, 3, 4);
        boolean[] got = ge.toBoolArray();
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) assertEquals(r >= c, got[r * 4 + c]);
        }
        assertArrayEquals(new boolean[] {true, false}, Tensor.ofBools(new boolean[] {true, false})
                .gt(Tensor.ofBools(new boolean[] {false, false})).toBoolArray());
    }

    @Test
    void logicalAndOrUseTruthinessOfAnyDtype() {
        Tensor a = Tensor.of(new float[] {0, 0.5f, Float.NaN, 0});
        Tensor b = Tensor.ofLongs(new long[] {0, 3, 1, -1});
        assertArrayEquals(new boolean[] {false, true, true, false}, a.logicalAnd(b).toBoolArray());
        assertArrayEquals(new boolean[] {false, true, true, true}, a.logicalOr(b).toBoolArray());
        Tensor m = Tensor.ofBools(new boolean[] {true, false}, 2, 1);
        Tensor n = Tensor.ofBools(new boolean[] {true, false, true});
        Tensor and = m.logicalAnd(n);
        assertShape(and, 2, 3);
        assertArrayEquals(new boolean[] {true, false, true, false, false, false}, and.toBoolArray());
    }

    @Test
    void boolArithmetic() {
        Tensor t = Tensor.ofBools(new boolean[] {true, true, false, false});
        Tensor u = Tensor.ofBools(new boolean[] {true, false, true, false});
        assertEquals(DType.BOOL, t.add(u).dtype());
        assertArrayEquals(new boolean[] {true, true, true, false}, t.add(u).toBoolArray(), "bool add is or");
        assertArrayEquals(new boolean[] {true, false, false, false}, t.mul(u).toBoolArray(), "bool mul is and");
        Tensor d = t.div(u);
        assertEquals(DType.FLOAT32, d.dtype());
        assertClose(new double[] {1, Double.POSITIVE_INFINITY, 0, Double.NaN}, d, 0, 0);
        assertFails(() -> t.sub(u), "aten::sub", "bool");
        assertFails(() -> Tensor.ofLongs(new long[] {1}).sub(Tensor.ofBools(new boolean[] {true})), "aten::sub", "bool");
        assertFails(() -> t.neg(), "aten::neg", "bool");
        assertFails(() -> t.abs(), "aten::abs", "bool");
    }

    // ------------------------------------------------------------------ where, masked_fill

    @Test
    void whereBroadcastsAndPromotes() {
        Tensor cond = Tensor.ofBools(new boolean[] {true, false, true}, 3, 1);
        double[] xv = randomFloats(21, 12, -1, 1);
        Tensor x = transposed(DType.FLOAT32, xv, 3, 4);
        Tensor r = Tensor.where(cond, x, Tensor.scalar(-9.5));
        assertEquals(DType.FLOAT32, r.dtype());
        assertShape(r, 3, 4);
        double[] expected = new double[12];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) expected[i * 4 + j] = i != 1 ? xv[i * 4 + j] : -9.5;
        }
        assertClose(expected, r, 0, 0);
        // contiguous same-shape fast path and scalar on the true side
        Tensor c2 = Tensor.ofBools(new boolean[] {true, false, false, true});
        Tensor a2 = Tensor.of(new float[] {1, 2, 3, 4});
        Tensor b2 = Tensor.of(new float[] {5, 6, 7, 8});
        assertArrayEquals(new float[] {1, 6, 7, 4}, Tensor.where(c2, a2, b2).toFloatArray());
        assertArrayEquals(new float[] {0, 6, 7, 0}, Tensor.where(c2, Tensor.scalar(0.0), b2).toFloatArray());
        // int and float operands promote to float32; int with int stays int
        Tensor ints = Tensor.ofLongs(new long[] {1, 2, 3, 4});
        Tensor mixed = Tensor.where(c2, ints, Tensor.of(new float[] {0.5f, 0.5f, 0.5f, 0.5f}));
        assertEquals(DType.FLOAT32, mixed.dtype());
        assertArrayEquals(new float[] {1, 0.5f, 0.5f, 4}, mixed.toFloatArray());
        Tensor intOnly = Tensor.where(c2, ints, Tensor.scalar(-1L));
        assertEquals(DType.INT64, intOnly.dtype());
        assertArrayEquals(new long[] {1, -1, -1, 4}, intOnly.toLongArray());
        Tensor dbl = Tensor.where(c2, Tensor.of(new double[] {1, 2, 3, 4}), Tensor.scalar(0.25));
        assertEquals(DType.FLOAT64, dbl.dtype());
        assertArrayEquals(new double[] {1, 0.25, 0.25, 4}, dbl.toDoubleArray());
        assertShape(Tensor.where(Tensor.ofBools(new boolean[0]), Tensor.of(new float[0]), Tensor.scalar(1.0)), 0);
    }

    @Test
    void whereRejectsNonBoolConditionAndBadShapes() {
        assertFails(() -> Tensor.where(Tensor.of(new float[] {1}), Tensor.of(new float[] {1}), Tensor.scalar(0.0)),
                "aten::where", "'condition'", "bool", "float32");
        assertFails(() -> Tensor.where(Tensor.ofBools(new boolean[] {true, false}), Tensor.of(new float[] {1, 2, 3}),
                Tensor.scalar(0.0)), "aten::where", "[2]", "[3]");
    }

    @Test
    void maskedFillKeepsSelfDtypeAndBroadcastsTheMask() {
        double[] v = randomFloats(31, 12, -1, 1);
        Tensor self = transposed(DType.FLOAT32, v, 3, 4);
        Tensor mask = Tensor.ofBools(new boolean[] {false, true, true, false});
        Tensor r = self.maskedFill(mask, Double.NEGATIVE_INFINITY);
        assertShape(r, 3, 4);
        assertEquals(DType.FLOAT32, r.dtype());
        double[] expected = v.clone();
        for (int i = 0; i < 3; i++) {
            expected[i * 4 + 1] = Double.NEGATIVE_INFINITY;
            expected[i * 4 + 2] = Double.NEGATIVE_INFINITY;
        }
        assertClose(expected, r, 0, 0);
        Tensor ints = Tensor.ofInts(new int[] {1, 2, 3});
        Tensor filled = ints.maskedFill(Tensor.ofBools(new boolean[] {true, false, true}), 7.9);
        assertEquals(DType.INT32, filled.dtype());
        assertArrayEquals(new int[] {7, 2, 7}, filled.toIntArray());
        assertArrayEquals(new double[] {1, 2, 3}, ints.toDoubleArray(), "input unchanged");
        Tensor scalarSelf = Tensor.scalarTensor(2, DType.FLOAT64).maskedFill(Tensor.ofBools(new boolean[] {true}), 5);
        assertArrayEquals(new double[] {5}, scalarSelf.toDoubleArray());
    }

    @Test
    void maskedFillRejectsBadMaskAndValue() {
        Tensor self = Tensor.of(new float[] {1, 2});
        assertFails(() -> self.maskedFill(Tensor.of(new float[] {1, 0}), 0), "aten::masked_fill", "'mask'", "bool",
                "float32");
        assertFails(() -> Dispatcher.call1(Op.MASKED_FILL, self, Tensor.ofBools(new boolean[] {true, false}),
                Tensor.of(new float[] {1, 2})), "aten::masked_fill", "'value'", "0-d", "1-d");
        assertFails(() -> self.maskedFill(Tensor.ofBools(new boolean[] {true, false, true}), 0), "aten::masked_fill",
                "[2]", "[3]");
    }

    // ------------------------------------------------------------------ to, clone

    @Test
    void toConvertsLikeCCasts() {
        Tensor f = Tensor.of(new float[] {-2.7f, 2.7f, -0.0f, 0.4f, Float.NaN});
        assertArrayEquals(new long[] {-2, 2, 0, 0}, java.util.Arrays.copyOf(f.to(DType.INT64).toLongArray(), 4),
                "truncates toward zero");
        assertArrayEquals(new int[] {-2, 2, 0, 0}, java.util.Arrays.copyOf(f.to(DType.INT32).toIntArray(), 4));
        assertArrayEquals(new boolean[] {true, true, false, true, true}, f.to(DType.BOOL).toBoolArray());
        long big = (1L << 53) + 1;
        assertEquals((float) big, Tensor.ofLongs(new long[] {big}).to(DType.FLOAT32).toFloatArray()[0]);
        assertEquals(big, Tensor.ofLongs(new long[] {big}).to(DType.INT64).toLongArray()[0]);
        assertArrayEquals(new int[] {0, 1}, Tensor.ofBools(new boolean[] {false, true}).to(DType.INT32).toIntArray());
        assertArrayEquals(new int[] {-1}, Tensor.ofLongs(new long[] {0xFFFFFFFFL}).to(DType.INT32).toIntArray(),
                "int64 to int32 wraps");
        double[] v = randomFloats(41, 6, -5, 5);
        Tensor view = transposed(DType.FLOAT64, v, 2, 3);
        Tensor asFloat = view.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, asFloat.dtype());
        assertClose(v, asFloat, 0, 0);
        Tensor same = view.to(DType.FLOAT64);
        assertNotSame(view.storage(), same.storage(), "to() copies even when the dtype is unchanged");
    }

    @Test
    void cloneMakesAContiguousIndependentCopy() {
        double[] v = randomFloats(51, 12, -5, 5);
        for (DType dt : DType.values()) {
            Tensor view = transposed(dt, v, 3, 4);
            assertFalse(view.isContiguous());
            Tensor c = view.copy();
            assertTrue(c.isContiguous());
            assertEquals(dt, c.dtype());
            assertNotSame(view.storage(), c.storage());
            assertArrayEquals(view.toDoubleArray(), c.toDoubleArray());
        }
        Tensor z = Tensor.scalarTensor(3, DType.INT64).copy();
        assertShape(z);
        assertEquals(3, z.itemLong());
        assertShape(Tensor.empty(DType.FLOAT32, 2, 0).copy(), 2, 0);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void badCallsNameTheOpArgumentExpectationAndFinding() {
        Tensor a = Tensor.of(new float[] {1, 2, 3});
        Tensor b = Tensor.of(new float[] {1, 2});
        assertFails(() -> a.add(b), "aten::add", "[3]", "[2]", "broadcast");
        assertFails(() -> a.gelu("fast"), "aten::gelu", "'approximate'", "\"tanh\"", "\"fast\"");
        assertFails(() -> Tensor.ofLongs(new long[] {1}).gelu(), "aten::gelu", "'self'", "floating", "int64");
        assertFails(() -> Tensor.ofInts(new int[] {1}).silu(), "aten::silu", "floating", "int32");
        assertFails(() -> a.div(Tensor.of(new float[] {1}), "round"), "aten::div", "'rounding_mode'", "\"round\"");
        assertFails(() -> Tensor.ofLongs(new long[] {1}).div(Tensor.ofLongs(new long[] {0}), "trunc"), "aten::div",
                "zero");
        assertFails(() -> Tensor.ofLongs(new long[] {1}).add(Tensor.ofLongs(new long[] {1}), 0.5), "aten::add",
                "'alpha'", "integer", "0.5");
        assertFails(() -> Tensor.ofLongs(new long[] {2}).pow(Tensor.scalar(-1L)), "aten::pow", "'exponent'", "-1");
    }
}
