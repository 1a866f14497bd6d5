package dev.kiln.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.kernels.NativeBlas;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A GEMM call site's two forms — OpenBLAS ({@link NativeGemmCall}: sgemv rows, one sgemm, column blocks over two
 * threads) and the Java form run before OpenBLAS is loaded — against float64 sums, with operands at offsets inside
 * larger buffers and rows of C with gaps that must stay untouched.
 */
class GemmCallTest {
    private final Random rnd = new Random(11);

    private NativeFloats rand(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return NativeFloats.of(a);
    }

    private static float[] read(NativeFloats f) {
        float[] h = new float[f.length];
        f.view.get(0, h, 0, h.length);
        return h;
    }

    @Test
    void nativeAndJavaFormsAgreeWithFloat64() {
        NativeBlas.load();
        int before = Parallel.numThreads();
        Parallel.setNumThreads(2);
        try {
            // {m, n, k}: sgemv rows (m <= 8), one sgemm, and a product split into column blocks over two threads.
            int[][] shapes = {{3, 10, 16}, {20, 33, 17}, {64, 300, 256}};
            for (int[] sh : shapes) {
                for (boolean bTrans : new boolean[] {false, true}) {
                    for (float beta : new float[] {0f, 1f}) {
                        check(sh[0], sh[1], sh[2], bTrans, beta);
                    }
                }
            }
        } finally {
            Parallel.setNumThreads(before);
        }
    }

    private void check(int m, int n, int k, boolean bTrans, float beta) {
        int lda = k + 1;
        int ldb = (bTrans ? k : n) + 3;
        int ldc = n + 2;
        long aOff = 5;
        long bOff = 2;
        long cOff = 7;
        NativeFloats a = rand((int) aOff + m * lda);
        NativeFloats b = rand((int) bOff + (bTrans ? n : k) * ldb);
        NativeFloats c = rand((int) cOff + m * ldc);
        float[] c0 = read(c);
        float[] ha = read(a);
        float[] hb = read(b);
        GemmCall call = new GemmCall(m, n, k, a, aOff, lda, b, bOff, bTrans, ldb, c, cOff, ldc, beta);
        String what = m + "x" + n + "x" + k + (bTrans ? " bTrans" : "") + " beta " + beta;

        call.run(); // OpenBLAS is loaded: the native form
        float[] viaNative = read(c);
        c.view.put(0, c0, 0, c0.length);
        call.runJava();
        float[] viaJava = read(c);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = beta * (double) c0[(int) cOff + i * ldc + j];
                for (int p = 0; p < k; p++) {
                    s += (double) ha[(int) aOff + i * lda + p]
                            * (bTrans ? hb[(int) bOff + j * ldb + p] : hb[(int) bOff + p * ldb + j]);
                }
                int at = (int) cOff + i * ldc + j;
                assertEquals(s, viaNative[at], 1e-5 * (Math.abs(s) + k), "native " + what);
                assertEquals(s, viaJava[at], 1e-5 * (Math.abs(s) + k), "java " + what);
            }
        }
        // Everything outside the m × n block (before it and in the row gaps) is as it was, in both forms.
        for (int x = 0; x < c0.length; x++) {
            int r = x - (int) cOff;
            boolean inside = r >= 0 && r / ldc < m && r % ldc < n;
            if (!inside) {
                assertEquals(c0[x], viaNative[x], "native wrote outside C at " + x + ", " + what);
                assertEquals(c0[x], viaJava[x], "java wrote outside C at " + x + ", " + what);
            }
        }
    }
}
