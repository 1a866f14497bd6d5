package dev.kiln.eager.bench;

import dev.kiln.eager.kernels.FastMath32;
import java.util.Random;

/**
 * Throughput harness (not a test) for FastMath32's array helpers against a scalar loop over the double
 * {@link Math} function, single thread, on 2^16 and 2^20 floats; median of 15 timed rounds after warm-up.
 * Run with {@code -XX:-UseSuperWord} as well to see what C2's vectorisation contributes.
 * <pre>
 * mvn -B -o -q -pl eager -am test-compile
 * java -cp eager/target/classes:eager/target/test-classes:ir/target/classes dev.kiln.eager.bench.FastMathBench
 * </pre>
 */
public final class FastMathBench {
    private FastMathBench() {}

    interface Loop { void run(float[] x, float[] o, int n); }

    static double nsPerElement(Loop l, float[] x, float[] o) {
        int n = x.length;
        int reps = Math.max(1, (1 << 22) / n);
        for (int i = 0; i < 30; i++) for (int r = 0; r < reps; r++) l.run(x, o, n);
        double[] t = new double[15];
        for (int k = 0; k < t.length; k++) {
            long s = System.nanoTime();
            for (int r = 0; r < reps; r++) l.run(x, o, n);
            t[k] = (System.nanoTime() - s) / (double) reps / n;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }

    public static void main(String[] args) {
        String[] names = {"exp", "tanh", "sigmoid", "silu", "gelu (erf)", "gelu (tanh)", "log"};
        Loop[] fast = {
            (x, o, n) -> FastMath32.exp(x, 0, o, 0, n), (x, o, n) -> FastMath32.tanh(x, 0, o, 0, n),
            (x, o, n) -> FastMath32.sigmoid(x, 0, o, 0, n), (x, o, n) -> FastMath32.silu(x, 0, o, 0, n),
            (x, o, n) -> FastMath32.gelu(x, 0, o, 0, n), (x, o, n) -> FastMath32.geluTanh(x, 0, o, 0, n),
            (x, o, n) -> FastMath32.log(x, 0, o, 0, n)};
        double c = Math.sqrt(2 / Math.PI);
        Loop[] slow = {
            (x, o, n) -> { for (int i = 0; i < n; i++) o[i] = (float) Math.exp(x[i]); },
            (x, o, n) -> { for (int i = 0; i < n; i++) o[i] = (float) Math.tanh(x[i]); },
            (x, o, n) -> { for (int i = 0; i < n; i++) o[i] = (float) (1 / (1 + Math.exp(-x[i]))); },
            (x, o, n) -> { for (int i = 0; i < n; i++) o[i] = (float) (x[i] / (1 + Math.exp(-x[i]))); },
            null, // Java has no Math.erf; the before/after of exact GELU is in ChainBench (Tensor API)
            (x, o, n) -> { for (int i = 0; i < n; i++) { double v = x[i];
                o[i] = (float) (0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)))); } },
            (x, o, n) -> { for (int i = 0; i < n; i++) o[i] = (float) Math.log(x[i]); }};
        for (int n : new int[] {1 << 16, 1 << 20}) {
            float[] x = new float[n];
            float[] pos = new float[n];
            float[] o = new float[n];
            Random r = new Random(1);
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextGaussian() * 3);
                pos[i] = Math.abs(x[i]) + 1e-3f;
            }
            System.out.printf("n = 2^%d: ns/element, one thread%n%-12s %9s %9s %8s%n", Integer.numberOfTrailingZeros(n),
                    "function", "FastMath32", "Math", "speedup");
            for (int i = 0; i < names.length; i++) {
                float[] in = names[i].equals("log") ? pos : x;
                double f = nsPerElement(fast[i], in, o);
                if (slow[i] == null) {
                    System.out.printf("%-12s %9.2f %9s %8s%n", names[i], f, "-", "-");
                    continue;
                }
                double s = nsPerElement(slow[i], in, o);
                System.out.printf("%-12s %9.2f %9.2f %7.1fx%n", names[i], f, s, s / f);
            }
        }
    }

}
