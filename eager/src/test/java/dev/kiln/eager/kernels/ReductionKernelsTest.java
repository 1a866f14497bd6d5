package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.KernelTestSupport.assertClose;
import static dev.kiln.eager.kernels.KernelTestSupport.assertFails;
import static dev.kiln.eager.kernels.KernelTestSupport.assertShape;
import static dev.kiln.eager.kernels.KernelTestSupport.randomFloats;
import static dev.kiln.eager.kernels.KernelTestSupport.tensor;
import static dev.kiln.eager.kernels.KernelTestSupport.transposed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import org.junit.jupiter.api.Test;

/** Reductions and softmax against float64 references computed by plain loops over every index. */
class ReductionKernelsTest {

    /** Sum (or mean) of {@code v} (row-major, {@code shape}) over the dims marked in {@code reduced}. */
    private static double[] refSum(double[] v, int[] shape, boolean[] reduced, boolean mean) {
        int outN = 1;
        long count = 1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) count *= shape[d]; else outN *= shape[d];
        }
        double[] out = new double[outN];
        int[] idx = new int[shape.length];
        for (int i = 0; i < v.length; i++) {
            int o = 0;
            for (int d = 0; d < shape.length; d++) if (!reduced[d]) o = o * shape[d] + idx[d];
            out[o] += v[i];
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        if (mean) for (int i = 0; i < outN; i++) out[i] /= count;
        return out;
    }

    private static boolean[] dims(int rank, int... ds) {
        boolean[] r = new boolean[rank];
        for (int d : ds) r[d] = true;
        return r;
    }

    @Test
    void sumAndMeanOverEveryDimSubsetWithKeepdim() {
        int[] shape = {3, 4, 5, 2};
        double[] v = randomFloats(1, 120, -2, 2);
        Tensor f32 = tensor(DType.FLOAT32, v, 3, 4, 5, 2);
        Tensor f64 = tensor(DType.FLOAT64, v, 3, 4, 5, 2);
        for (int mask = 1; mask < 16; mask++) {
            final int m = mask;
            int[] ds = java.util.stream.IntStream.range(0, 4).filter(d -> (m >> d & 1) != 0).toArray();
            boolean[] red = dims(4, ds);
            for (boolean mean : new boolean[] {false, true}) {
                double[] ref = refSum(v, shape, red, mean);
                Tensor r = mean ? f32.mean(ds, false) : f32.sum(ds, false);
                assertEquals(DType.FLOAT32, r.dtype());
                assertClose(ref, r, 1e-6, 1e-6);
                assertClose(ref, mean ? f64.mean(ds, false) : f64.sum(ds, false), 1e-13, 1e-13);
                Tensor kept = mean ? f32.mean(ds, true) : f32.sum(ds, true);
                assertEquals(4, kept.dim());
                for (int d = 0; d < 4; d++) assertEquals(red[d] ? 1 : shape[d], kept.size(d));
                assertClose(ref, kept, 1e-6, 1e-6);
            }
        }
        // negative dims name the same dims
        assertClose(refSum(v, shape, dims(4, 1, 3), false), f32.sum(new int[] {-3, -1}, false), 1e-6, 1e-6);
    }

    @Test
    void sumOfAllElementsAndOfNonContiguousInput() {
        double[] v = randomFloats(2, 35, -3, 3);
        double total = 0;
        for (double x : v) total += x;
        Tensor t = transposed(DType.FLOAT32, v, 5, 7);
        Tensor s = t.sum();
        assertShape(s);
        assertEquals(total, s.item(), 1e-5);
        assertClose(refSum(v, new int[] {5, 7}, dims(2, 0), false), t.sum(0, false), 1e-6, 1e-6);
        assertClose(refSum(v, new int[] {5, 7}, dims(2, 1), false), t.sum(1, false), 1e-6, 1e-6);
        assertClose(refSum(v, new int[] {5, 7}, dims(2, 1), true), t.mean(1, false), 1e-6, 1e-6);
        // 0-d: sum over dim 0 or all
        Tensor z = Tensor.scalarTensor(2.5, DType.FLOAT32);
        assertEquals(2.5, z.sum().item());
        assertShape(z.sum(0, false));
        assertShape(z.sum(-1, true));
    }

    @Test
    void largeReductionsAccumulateInDoubleAndSplitAcrossThreads() {
        int n = 1_000_003;
        double[] v = randomFloats(3, n, 0, 1);
        double total = 0;
        for (double x : v) total += x;
        Tensor t = tensor(DType.FLOAT32, v);
        assertEquals((float) total, (float) t.sum().item(), "float32 sum rounds a double accumulation once");
        assertEquals((float) (total / n), (float) t.mean().item());
        // middle-dim and first-dim reductions of a big tensor
        int a = 50;
        int b = 400;
        int c = 60;
        double[] w = randomFloats(4, a * b * c, -1, 1);
        Tensor big = tensor(DType.FLOAT32, w, a, b, c);
        int[] shape = {a, b, c};
        assertClose(refSum(w, shape, dims(3, 1), false), big.sum(1, false), 1e-6, 1e-5);
        assertClose(refSum(w, shape, dims(3, 0), false), big.sum(0, false), 1e-6, 1e-5);
        assertClose(refSum(w, shape, dims(3, 2), true), big.mean(2, false), 1e-6, 1e-6);
        assertClose(refSum(w, shape, dims(3, 0, 2), false), big.sum(new int[] {0, 2}, false), 1e-6, 1e-4);
        double[] col = randomFloats(5, 200_000 * 2, -1, 1);
        assertClose(refSum(col, new int[] {200_000, 2}, dims(2, 0), false),
                tensor(DType.FLOAT32, col, 200_000, 2).sum(0, false), 1e-6, 1e-4);
    }

    @Test
    void integerAndBoolSumsGiveInt64AndMeanOfIntegersFails() {
        Tensor i = Tensor.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor s = i.sum(1, false);
        assertEquals(DType.INT64, s.dtype());
        assertArrayEquals(new long[] {6, 15}, s.toLongArray());
        assertArrayEquals(new long[] {5, 7, 9}, i.sum(0, false).toLongArray());
        assertEquals(21, i.sum().itemLong());
        long big = 1L << 60;
        assertEquals(2 * big + 1, Tensor.ofLongs(new long[] {big, big, 1}).sum().itemLong(), "exact in long");
        Tensor b = Tensor.ofBools(new boolean[] {true, false, true, true});
        assertEquals(DType.INT64, b.sum().dtype());
        assertEquals(3, b.sum().itemLong());
        assertFails(() -> i.mean(), "aten::mean", "floating", "int32");
        Tensor asFloat = Dispatcher.call1(Op.MEAN, Attrs.of(Op.MEAN).set("dtype", DType.FLOAT64).build(), i);
        assertEquals(DType.FLOAT64, asFloat.dtype());
        assertEquals(3.5, asFloat.item());
        Tensor sumI32 = Dispatcher.call1(Op.SUM, Attrs.of(Op.SUM).set("dtype", DType.INT32).build(), i);
        assertEquals(DType.INT32, sumI32.dtype());
        assertEquals(21, sumI32.itemLong());
        Tensor f = Tensor.of(new float[] {16777216f, 1f, 1f});
        Tensor sumF64 = Dispatcher.call1(Op.SUM, Attrs.of(Op.SUM).set("dtype", DType.FLOAT64).build(), f);
        assertEquals(DType.FLOAT64, sumF64.dtype());
        assertEquals(16777218.0, sumF64.item());
    }

    @Test
    void emptyReductions() {
        Tensor e = Tensor.empty(DType.FLOAT32, 0, 3);
        assertEquals(0.0, e.sum().item());
        assertTrue(Double.isNaN(e.mean().item()));
        Tensor s0 = e.sum(0, false);
        assertShape(s0, 3);
        assertArrayEquals(new float[] {0, 0, 0}, s0.toFloatArray());
        assertShape(e.sum(1, false), 0);
        assertShape(e.sum(1, true), 0, 1);
        assertTrue(Double.isNaN(e.mean(0, false).toDoubleArray()[1]));
        assertEquals(0, Tensor.empty(DType.INT32, 0).sum().itemLong());
        assertFails(() -> e.max(), "aten::max", "non-empty", "[0, 3]");
        assertFails(() -> e.argmax(), "aten::argmax", "non-empty", "[0, 3]");
        assertFails(() -> e.max(0, false), "aten::max.dim", "'dim'", "size 0");
        Tensor.ValuesIndices ok = e.max(1, false);
        assertShape(ok.values(), 0);
        assertShape(e.softmax(1), 0, 3);
    }

    @Test
    void badDims() {
        Tensor t = Tensor.of(new float[6], 2, 3);
        assertFails(() -> t.sum(2, false), "aten::sum", "'dim'", "[-2, 1]", "found 2");
        assertFails(() -> t.sum(-3, false), "aten::sum", "'dim'", "found -3");
        assertFails(() -> t.sum(new int[] {1, -1}, false), "aten::sum", "'dim'", "more than once");
        assertFails(() -> t.mean(5, false), "aten::mean", "'dim'", "found 5");
        assertFails(() -> t.max(2, true), "aten::max.dim", "'dim'");
        assertFails(() -> t.softmax(-3), "aten::softmax", "'dim'");
        assertFails(() -> Tensor.ofLongs(new long[] {1}).softmax(0), "aten::softmax", "floating", "int64");
    }

    @Test
    void maxAndMinOfAll() {
        double[] v = randomFloats(6, 30, -5, 5);
        double mx = Double.NEGATIVE_INFINITY;
        double mn = Double.POSITIVE_INFINITY;
        for (double x : v) {
            mx = Math.max(mx, x);
            mn = Math.min(mn, x);
        }
        Tensor t = transposed(DType.FLOAT32, v, 5, 6);
        assertShape(t.max());
        assertEquals(DType.FLOAT32, t.max().dtype());
        assertEquals(mx, t.max().item());
        assertEquals(mn, t.min().item());
        assertTrue(Double.isNaN(Tensor.of(new float[] {1, Float.NaN, 3}).max().item()));
        assertTrue(Double.isNaN(Tensor.of(new double[] {1, Double.NaN, -3}).min().item()));
        assertEquals(Long.MAX_VALUE, Tensor.ofLongs(new long[] {Long.MAX_VALUE - 1, Long.MAX_VALUE, 0}).max().itemLong());
        Tensor bools = Tensor.ofBools(new boolean[] {false, true});
        assertEquals(DType.BOOL, bools.max().dtype());
        assertEquals(1.0, bools.max().item());
        assertEquals(0.0, bools.min().item());
    }

    @Test
    void maxMinAlongDimWithTiesNaNAndLayouts() {
        int[] shape = {3, 4, 5};
        double[] v = randomFloats(7, 60, -3, 3);
        for (int i = 0; i < 60; i += 7) v[i] = 1.0; // plenty of ties
        Tensor t = tensor(DType.FLOAT32, v, 3, 4, 5);
        for (int dim = 0; dim < 3; dim++) {
            for (boolean max : new boolean[] {true, false}) {
                int n = shape[dim];
                int outN = 60 / n;
                double[] best = new double[outN];
                long[] at = new long[outN];
                int o = 0;
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 4; b++) {
                        for (int c = 0; c < 5; c++) {
                            int[] idx = {a, b, c};
                            if (idx[dim] != 0) continue;
                            double bv = 0;
                            long bi = -1;
                            for (int r = 0; r < n; r++) {
                                idx[dim] = r;
                                double x = v[(idx[0] * 4 + idx[1]) * 5 + idx[2]];
                                if (bi < 0 || (max ? x > bv : x < bv)) {
                                    bv = x;
                                    bi = r;
                                }
                            }
                            best[o] = bv;
                            at[o++] = bi;
                        }
                    }
                }
                Tensor.ValuesIndices r = max ? t.max(dim, false) : t.min(dim, false);
                assertClose(best, r.values(), 0, 0);
                assertEquals(DType.INT64, r.indices().dtype());
                assertArrayEquals(at, r.indices().toLongArray(), "first index among ties, dim " + dim);
                assertArrayEquals(at, (max ? t.argmax(dim, false) : t.argmin(dim, false)).toLongArray());
                Tensor.ValuesIndices kept = max ? t.max(dim, true) : t.min(dim, true);
                assertEquals(1, kept.values().size(dim));
                assertEquals(1, kept.indices().size(dim));
            }
        }
        Tensor withNaN = Tensor.of(new float[] {1, Float.NaN, 5, Float.NaN, 7, 2}, 2, 3);
        Tensor.ValuesIndices m = withNaN.max(1, false);
        assertTrue(Float.isNaN(m.values().toFloatArray()[0]));
        assertTrue(Float.isNaN(m.values().toFloatArray()[1]));
        assertArrayEquals(new long[] {1, 0}, m.indices().toLongArray(), "index of the first NaN");
        assertArrayEquals(new long[] {1, 0, 1}, withNaN.argmin(0, false).toLongArray());
        Tensor tr = transposed(DType.INT32, new double[] {3, 9, 9, 1, 0, 4}, 2, 3);
        Tensor.ValuesIndices ti = tr.max(1, false);
        assertEquals(DType.INT32, ti.values().dtype());
        assertArrayEquals(new int[] {9, 4}, ti.values().toIntArray());
        assertArrayEquals(new long[] {1, 2}, ti.indices().toLongArray());
    }

    @Test
    void argmaxWithoutDimIndexesTheFlattenedTensor() {
        Tensor t = transposed(DType.FLOAT64, new double[] {1, 8, 3, 8, -2, 0}, 2, 3);
        Tensor a = t.argmax();
        assertShape(a);
        assertEquals(DType.INT64, a.dtype());
        assertEquals(1, a.itemLong());
        assertEquals(4, t.argmin().itemLong());
        assertEquals(0, Tensor.scalarTensor(5, DType.FLOAT32).argmax().itemLong());
        Tensor big = tensor(DType.FLOAT32, randomFloats(8, 5000, -1, 1));
        double[] bv = big.toDoubleArray();
        int best = 0;
        for (int i = 1; i < bv.length; i++) if (bv[i] > bv[best]) best = i;
        assertEquals(best, big.argmax().itemLong());
        assertEquals(best, big.argmax(0, false).itemLong());
    }

    private static double[] refSoftmax(double[] v, int outer, int n, int inner, boolean log) {
        double[] out = new double[v.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double sum = 0;
                for (int r = 0; r < n; r++) sum += Math.exp(v[(o * n + r) * inner + j]);
                for (int r = 0; r < n; r++) {
                    int p = (o * n + r) * inner + j;
                    out[p] = log ? v[p] - Math.log(sum) : Math.exp(v[p]) / sum;
                }
            }
        }
        return out;
    }

    @Test
    void softmaxAndLogSoftmaxAlongAnyDim() {
        int[] shape = {3, 4, 5};
        double[] v = randomFloats(9, 60, -4, 4);
        Tensor t = tensor(DType.FLOAT32, v, 3, 4, 5);
        Tensor t64 = tensor(DType.FLOAT64, v, 3, 4, 5);
        for (int dim = -3; dim < 3; dim++) {
            int d = dim < 0 ? dim + 3 : dim;
            int outer = 1;
            int inner = 1;
            for (int k = 0; k < d; k++) outer *= shape[k];
            for (int k = d + 1; k < 3; k++) inner *= shape[k];
            for (boolean log : new boolean[] {false, true}) {
                double[] ref = refSoftmax(v, outer, shape[d], inner, log);
                Tensor r = log ? t.logSoftmax(dim) : t.softmax(dim);
                assertEquals(DType.FLOAT32, r.dtype());
                assertShape(r, 3, 4, 5);
                assertClose(ref, r, 1e-6, 1e-7);
                assertClose(ref, log ? t64.logSoftmax(dim) : t64.softmax(dim), 1e-13, 1e-15);
            }
        }
        double[] w = randomFloats(10, 12, -2, 2);
        assertClose(refSoftmax(w, 4, 3, 1, false), transposed(DType.FLOAT32, w, 4, 3).softmax(1), 1e-6, 1e-7);
        assertClose(refSoftmax(w, 1, 4, 3, true), transposed(DType.FLOAT32, w, 4, 3).logSoftmax(0), 1e-6, 1e-7);
        assertEquals(1.0, Tensor.scalarTensor(3, DType.FLOAT32).softmax(0).item());
        assertEquals(0.0, Tensor.scalarTensor(3, DType.FLOAT32).logSoftmax(-1).item());
    }

    @Test
    void softmaxIsStableForLargeInputsAndPropagatesNaN() {
        Tensor t = Tensor.of(new float[] {1000, 1001, 1002, -1000});
        double s = Math.exp(-2) + Math.exp(-1) + 1;
        assertClose(new double[] {Math.exp(-2) / s, Math.exp(-1) / s, 1 / s, 0}, t.softmax(0), 1e-6, 1e-30);
        assertClose(new double[] {-2 - Math.log(s), -1 - Math.log(s), -Math.log(s), -2002 - Math.log(s)},
                t.logSoftmax(0), 1e-6, 0);
        Tensor n = Tensor.of(new float[] {1, Float.NaN, 2, 3, 4, 5}, 2, 3);
        double[] r = n.softmax(1).toDoubleArray();
        for (int i = 0; i < 3; i++) assertTrue(Double.isNaN(r[i]));
        assertClose(refSoftmax(new double[] {3, 4, 5}, 1, 3, 1, false),
                Tensor.wrap(java.util.Arrays.copyOfRange(n.softmax(1).toFloatArray(), 3, 6), 3), 1e-6, 0);
        Tensor ninf = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 0});
        assertClose(new double[] {0, 1}, ninf.softmax(0), 0, 0);
    }

    @Test
    void softmaxWithDtypeConvertsFirst() {
        Tensor f = Tensor.of(new float[] {1, 2, 3});
        Tensor r = Dispatcher.call1(Op.SOFTMAX, Attrs.of(Op.SOFTMAX).set("dim", 0).set("dtype", DType.FLOAT64).build(), f);
        assertEquals(DType.FLOAT64, r.dtype());
        assertClose(refSoftmax(new double[] {1, 2, 3}, 1, 3, 1, false), r, 1e-14, 0);
        Tensor i = Tensor.ofLongs(new long[] {1, 2, 3});
        Tensor ri = Dispatcher.call1(Op.LOG_SOFTMAX,
                Attrs.of(Op.LOG_SOFTMAX).set("dim", 0).set("dtype", DType.FLOAT32).build(), i);
        assertEquals(DType.FLOAT32, ri.dtype());
        assertClose(refSoftmax(new double[] {1, 2, 3}, 1, 3, 1, true), ri, 1e-6, 0);
    }

    @Test
    void largeSoftmaxAcrossThreads() {
        int rows = 600;
        int cols = 300;
        double[] v = randomFloats(11, rows * cols, -5, 5);
        Tensor t = tensor(DType.FLOAT32, v, rows, cols);
        assertClose(refSoftmax(v, rows, cols, 1, false), t.softmax(1), 1e-6, 1e-9);
        assertClose(refSoftmax(v, 1, rows, cols, true), t.logSoftmax(0), 1e-6, 1e-6);
    }
}
