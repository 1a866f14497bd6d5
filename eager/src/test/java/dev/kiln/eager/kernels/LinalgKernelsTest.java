package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.KernelTesting.assertClose;
import static dev.kiln.eager.kernels.KernelTesting.assertFails;
import static dev.kiln.eager.kernels.KernelTesting.offsetView;
import static dev.kiln.eager.kernels.KernelTesting.randD;
import static dev.kiln.eager.kernels.KernelTesting.randF;
import static dev.kiln.eager.kernels.KernelTesting.transposedF;
import static dev.kiln.eager.kernels.KernelTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinalgKernelsTest {
    private static final double RTOL = 1e-5;
    private final Random rnd = new Random(20261121);

    /** float64 reference of torch.matmul by plain loops: {outShape, values, sum of |terms|}. */
    private record Ref(int[] shape, double[] value, double[] scale) {}

    private static Ref refMatmul(Tensor a, Tensor b) {
        int[] as = a.intShape();
        int[] bs = b.intShape();
        double[] av = values(a);
        double[] bv = values(b);
        // Promote vectors to matrices as torch.matmul does.
        int[] am = as.length == 1 ? new int[] {1, as[0]} : as;
        int[] bm = bs.length == 1 ? new int[] {bs[0], 1} : bs;
        int m = am[am.length - 2];
        int k = am[am.length - 1];
        int n = bm[bm.length - 1];
        int[] ab = Arrays.copyOf(am, am.length - 2);
        int[] bb = Arrays.copyOf(bm, bm.length - 2);
        int nb = Math.max(ab.length, bb.length);
        int[] batch = new int[nb];
        for (int i = 0; i < nb; i++) {
            int x = i - (nb - ab.length) >= 0 ? ab[i - (nb - ab.length)] : 1;
            int y = i - (nb - bb.length) >= 0 ? bb[i - (nb - bb.length)] : 1;
            batch[i] = Math.max(x, y);
        }
        int total = 1;
        for (int s : batch) total *= s;
        double[] out = new double[total * m * n];
        double[] scale = new double[out.length];
        int[] idx = new int[nb];
        for (int t = 0; t < total; t++) {
            int ai = 0;
            int bi = 0;
            for (int d = 0; d < nb; d++) {
                int da = d - (nb - ab.length);
                if (da >= 0) ai = ai * ab[da] + (ab[da] == 1 ? 0 : idx[d]);
                int db = d - (nb - bb.length);
                if (db >= 0) bi = bi * bb[db] + (bb[db] == 1 ? 0 : idx[d]);
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    double sa = 0;
                    for (int p = 0; p < k; p++) {
                        double term = av[ai * m * k + i * k + p] * bv[bi * k * n + p * n + j];
                        s += term;
                        sa += Math.abs(term);
                    }
                    out[t * m * n + i * n + j] = s;
                    scale[t * m * n + i * n + j] = sa;
                }
            }
            for (int d = nb - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) break;
                idx[d] = 0;
            }
        }
        int[] shape = batch;
        if (as.length >= 2) shape = append(shape, m);
        if (bs.length >= 2) shape = append(shape, n);
        return new Ref(shape, out, scale);
    }

    private static int[] append(int[] a, int v) {
        int[] o = Arrays.copyOf(a, a.length + 1);
        o[a.length] = v;
        return o;
    }

    private static void checkMatmul(Tensor a, Tensor b) {
        Ref r = refMatmul(a, b);
        assertClose(a.matmul(b), a.dtype(), r.shape, r.value, r.scale, RTOL);
    }

    @Test
    void mmRandomShapesFloat32() {
        int[][] sizes = {{1, 1, 1}, {3, 4, 5}, {17, 33, 9}, {64, 64, 64}, {130, 70, 257}, {1, 100, 1}, {5, 1, 7}};
        for (int[] s : sizes) {
            Tensor a = randF(rnd, s[0], s[1]);
            Tensor b = randF(rnd, s[1], s[2]);
            Ref r = refMatmul(a, b);
            assertClose(a.mm(b), DType.FLOAT32, r.shape, r.value, r.scale, RTOL);
        }
    }

    @Test
    void mmFloat64IsExactToDoublePrecision() {
        Tensor a = randD(rnd, 20, 30);
        Tensor b = randD(rnd, 30, 10);
        Ref r = refMatmul(a, b);
        assertClose(a.mm(b), DType.FLOAT64, r.shape, r.value, r.scale, 1e-13);
    }

    @Test
    void mmTransposedViewsAreReadCorrectly() {
        // strides (1, rows): passed to BLAS as CblasTrans without a gather.
        Tensor a = transposedF(rnd, 7, 11);
        Tensor b = transposedF(rnd, 11, 5);
        assertArrayEquals(new int[] {1, 7}, a.strides());
        Ref r = refMatmul(a, b);
        assertClose(a.mm(b), DType.FLOAT32, r.shape, r.value, r.scale, RTOL);
        Tensor c = randF(rnd, 11, 5);
        r = refMatmul(a, c);
        assertClose(a.mm(c), DType.FLOAT32, r.shape, r.value, r.scale, RTOL);
    }

    @Test
    void mmOffsetAndGappedViews() {
        Tensor a = offsetView(randF(rnd, 6, 9), 13, 3);
        Tensor b = offsetView(randF(rnd, 9, 4), 101, 2);
        Ref r = refMatmul(a, b);
        assertClose(a.mm(b), DType.FLOAT32, r.shape, r.value, r.scale, RTOL);
        // A transposed view at an offset inside a bigger storage.
        Tensor base = randF(rnd, 50, 8);
        Tensor t = Tensor.fromStorage(base.storage(), new int[] {8, 20}, new int[] {1, 8}, 8 * 30);
        Tensor u = randF(rnd, 20, 3);
        r = refMatmul(t, u);
        assertClose(t.mm(u), DType.FLOAT32, r.shape, r.value, r.scale, RTOL);
    }

    @Test
    void mmBroadcastStrideZeroOperandIsGathered() {
        // A [4, 6] matrix whose rows all alias one stored row (stride 0), as expand() makes.
        Tensor row = randF(rnd, 6);
        Tensor a = Tensor.fromStorage(row.storage(), new int[] {4, 6}, new int[] {0, 1}, 0);
        Tensor col = randF(rnd, 5);
        Tensor b = Tensor.fromStorage(col.storage(), new int[] {6, 5}, new int[] {0, 1}, 0);
        Ref r = refMatmul(a, b);
        assertClose(a.mm(b), DType.FLOAT32, r.shape, r.value, r.scale, RTOL);
    }

    @Test
    void mmIntegerDtypes() {
        Tensor a = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.ofLongs(new long[] {7, 8, 9, 10, 11, 12}, 3, 2);
        Tensor c = a.mm(b);
        assertEquals(DType.INT64, c.dtype());
        assertArrayEquals(new long[] {58, 64, 139, 154}, c.toLongArray());
        Tensor ai = Tensor.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor bi = Tensor.fromStorage(Tensor.ofInts(new int[] {7, 9, 11, 8, 10, 12}).storage(),
                new int[] {3, 2}, new int[] {1, 3}, 0);
        assertArrayEquals(new int[] {58, 64, 139, 154}, ai.mm(bi).toIntArray());
    }

    @Test
    void mmEmptyAndZeroInnerDim() {
        Tensor a = randF(rnd, 0, 3);
        Tensor b = randF(rnd, 3, 4);
        assertArrayEquals(new int[] {0, 4}, a.mm(b).intShape());
        Tensor z = randF(rnd, 2, 0).mm(randF(rnd, 0, 3));
        assertArrayEquals(new int[] {2, 3}, z.intShape());
        assertArrayEquals(new float[6], z.toFloatArray());
    }

    @Test
    void mmErrors() {
        assertFails(() -> randF(rnd, 2, 3).mm(randD(rnd, 3, 2)), "aten::mm", "float32", "float64");
        assertFails(() -> randF(rnd, 2, 3).mm(randF(rnd, 4, 2)), "aten::mm", "mat2", "3", "4");
        assertFails(() -> randF(rnd, 2, 3, 4).mm(randF(rnd, 4, 2)), "aten::mm", "self", "2-d", "3-d");
        assertFails(() -> Tensor.ofBools(new boolean[] {true}, 1, 1).mm(Tensor.ofBools(new boolean[] {true}, 1, 1)),
                "aten::mm", "bool");
    }

    @Test
    void bmmAndItsErrors() {
        Tensor a = randF(rnd, 3, 4, 5);
        Tensor b = transposedF(rnd, 3, 5, 2);
        Ref r = refMatmul(a, b);
        assertClose(a.bmm(b), DType.FLOAT32, r.shape, r.value, r.scale, RTOL);
        assertFails(() -> a.bmm(randF(rnd, 2, 5, 2)), "aten::bmm", "mat2", "3", "2");
        assertFails(() -> a.bmm(randF(rnd, 3, 4, 2)), "aten::bmm", "5", "4");
        assertArrayEquals(new int[] {0, 4, 2}, randF(rnd, 0, 4, 5).bmm(randF(rnd, 0, 5, 2)).intShape());
    }

    @Test
    void matmulVectorCases() {
        checkMatmul(randF(rnd, 7), randF(rnd, 7));           // dot -> 0-d
        assertEquals(0, randF(rnd, 7).matmul(randF(rnd, 7)).dim());
        checkMatmul(randF(rnd, 4, 7), randF(rnd, 7));        // matrix-vector -> [4]
        checkMatmul(randF(rnd, 7), randF(rnd, 7, 3));        // vector-matrix -> [3]
        checkMatmul(randF(rnd, 4, 7), randF(rnd, 7, 3));     // mm
        checkMatmul(randF(rnd, 2, 3, 4, 7), randF(rnd, 7));  // batched matrix-vector -> [2, 3, 4]
        checkMatmul(randF(rnd, 7), randF(rnd, 2, 7, 3));     // vector-batched -> [2, 3]
        // Strided vectors.
        Tensor v = Tensor.fromStorage(randF(rnd, 21).storage(), new int[] {7}, new int[] {3}, 0);
        checkMatmul(v, v);
        checkMatmul(randF(rnd, 5, 7), v);
        checkMatmul(v, transposedF(rnd, 7, 2));
    }

    @Test
    void matmulBatchedAndBroadcast() {
        checkMatmul(randF(rnd, 2, 3, 5, 4), randF(rnd, 2, 3, 4, 5));   // [B,H,T,D] @ [B,H,D,T]
        checkMatmul(randF(rnd, 2, 3, 5, 4), transposedF(rnd, 2, 3, 4, 5));
        checkMatmul(randF(rnd, 2, 6, 8), randF(rnd, 8, 3));            // [B,T,C] @ [C,H] (folded)
        checkMatmul(transposedF(rnd, 2, 6, 8), randF(rnd, 8, 3));      // not foldable: per-batch GEMMs
        checkMatmul(randF(rnd, 2, 6, 8), transposedF(rnd, 8, 3));
        checkMatmul(randF(rnd, 2, 1, 3, 4), randF(rnd, 5, 4, 2));      // batch dims broadcast -> [2, 5, 3, 2]
        checkMatmul(randF(rnd, 1, 3, 4), randF(rnd, 6, 4, 2));
        checkMatmul(randF(rnd, 3, 4), randF(rnd, 2, 2, 4, 5));         // 2-d @ 4-d
        checkMatmul(offsetView(randF(rnd, 2, 3, 4), 5, 1), offsetView(randF(rnd, 2, 4, 2), 9, 2));
        // Expanded batch dim (stride 0) on the left.
        Tensor m = randF(rnd, 3, 4);
        Tensor e = Tensor.fromStorage(m.storage(), new int[] {5, 3, 4}, new int[] {0, 4, 1}, 0);
        checkMatmul(e, randF(rnd, 5, 4, 2));
        checkMatmul(e, randF(rnd, 4, 2));
    }

    @Test
    void matmulEmptyBatchAndFloat64() {
        Tensor r = randF(rnd, 0, 3, 4).matmul(randF(rnd, 4, 5));
        assertArrayEquals(new int[] {0, 3, 5}, r.intShape());
        assertArrayEquals(new int[] {2, 0, 3, 5}, randF(rnd, 2, 1, 3, 4).matmul(randF(rnd, 0, 4, 5)).intShape());
        Tensor a = randD(rnd, 2, 3, 4);
        Tensor b = randD(rnd, 4, 6);
        Ref ref = refMatmul(a, b);
        assertClose(a.matmul(b), DType.FLOAT64, ref.shape, ref.value, ref.scale, 1e-13);
    }

    @Test
    void matmulErrors() {
        assertFails(() -> randF(rnd, 2, 3, 4).matmul(randF(rnd, 5, 2)), "aten::matmul", "other", "4", "5");
        assertFails(() -> randF(rnd, 3).matmul(randF(rnd, 4)), "aten::matmul", "3", "4");
        assertFails(() -> randF(rnd, 2, 3, 4).matmul(randF(rnd, 3, 4, 2)), "aten::matmul", "2", "3");
        assertFails(() -> Tensor.scalarTensor(1, DType.FLOAT32).matmul(randF(rnd, 3)), "aten::matmul", "0-d");
        assertFails(() -> randF(rnd, 3).matmul(randD(rnd, 3)), "aten::matmul", "float32", "float64");
    }

    /** Reference of linear: x [m, in] (flattened), w [out, in], optional bias. */
    private static Ref refLinear(Tensor x, Tensor w, Tensor bias) {
        int[] xs = x.intShape();
        int in = xs[xs.length - 1];
        int out = w.intShape()[0];
        double[] xv = values(x);
        double[] wv = values(w);
        double[] bv = bias == null ? null : values(bias);
        int m = in == 0 ? 0 : xv.length / in;
        double[] y = new double[m * out];
        double[] sc = new double[m * out];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < out; j++) {
                double s = bv == null ? 0 : bv[j];
                double a = Math.abs(s);
                for (int p = 0; p < in; p++) {
                    double t = xv[i * in + p] * wv[j * in + p];
                    s += t;
                    a += Math.abs(t);
                }
                y[i * out + j] = s;
                sc[i * out + j] = a;
            }
        }
        int[] shape = xs.clone();
        shape[shape.length - 1] = out;
        return new Ref(shape, y, sc);
    }

    private static void checkLinear(Tensor x, Tensor w, Tensor b) {
        Ref r = refLinear(x, w, b);
        assertClose(F.linear(x, w, b), x.dtype(), r.shape, r.value, r.scale, RTOL);
    }

    @Test
    void linearShapesBiasAndViews() {
        checkLinear(randF(rnd, 4, 10), randF(rnd, 6, 10), randF(rnd, 6));
        checkLinear(randF(rnd, 4, 10), randF(rnd, 6, 10), null);
        checkLinear(randF(rnd, 2, 3, 10), randF(rnd, 6, 10), randF(rnd, 6));       // 3-d input
        checkLinear(randF(rnd, 10), randF(rnd, 6, 10), randF(rnd, 6));             // 1-d input -> [6]
        checkLinear(randF(rnd, 4, 10), transposedF(rnd, 6, 10), randF(rnd, 6));    // weight is a transposed view
        checkLinear(transposedF(rnd, 2, 5, 10), randF(rnd, 6, 10), null);          // non-mergeable input rows
        checkLinear(offsetView(randF(rnd, 3, 10), 7, 2), offsetView(randF(rnd, 6, 10), 3, 1),
                offsetView(randF(rnd, 6), 11, 0));
        checkLinear(randD(rnd, 3, 8), randD(rnd, 2, 8), randD(rnd, 2));
        checkLinear(randF(rnd, 0, 10), randF(rnd, 6, 10), randF(rnd, 6));          // empty batch
        Tensor noIn = F.linear(randF(rnd, 3, 0), randF(rnd, 2, 0), Tensor.of(new float[] {1.5f, -2f}));
        assertArrayEquals(new float[] {1.5f, -2f, 1.5f, -2f, 1.5f, -2f}, noIn.toFloatArray());
    }

    @Test
    void linearIntegerAndErrors() {
        Tensor x = Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2);
        Tensor w = Tensor.ofLongs(new long[] {1, 0, 0, 1, 1, 1}, 3, 2);
        Tensor b = Tensor.ofLongs(new long[] {10, 20, 30});
        assertArrayEquals(new long[] {11, 22, 33, 13, 24, 37}, F.linear(x, w, b).toLongArray());
        assertFails(() -> F.linear(randF(rnd, 4, 10), randF(rnd, 6, 9), null), "aten::linear", "weight", "9", "10");
        assertFails(() -> F.linear(randF(rnd, 4, 10), randD(rnd, 6, 10), null), "aten::linear", "float32", "float64");
        assertFails(() -> F.linear(randF(rnd, 4, 10), randF(rnd, 6, 10), randF(rnd, 5)), "aten::linear", "bias",
                "[6]", "[5]");
    }

    @Test
    void inputsAreNotModified() {
        Tensor a = randF(rnd, 5, 6);
        Tensor b = transposedF(rnd, 6, 4);
        double[] av = values(a);
        double[] bv = values(b);
        Dispatcher.call1(Op.MATMUL, a, b);
        assertArrayEquals(av, values(a));
        assertArrayEquals(bv, values(b));
    }
}
