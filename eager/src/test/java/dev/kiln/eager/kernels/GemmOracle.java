package dev.kiln.eager.kernels;

import java.util.Random;

/** Test data and the float64 oracle for GEMM tests: a seeded source of operands and exact-ish sums. */
final class GemmOracle {
    private final Random rnd;

    GemmOracle(long seed) { rnd = new Random(seed); }

    /** {@code n} floats uniform in [-1, 1). */
    float[] rand(int n) {
        float[] a = new float[n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    /** Element {@code (i, j)} of {@code a · b} summed in double ({@code float[]} or {@code double[]} operands). */
    static double ref(Matrix a, Matrix b, int i, int j) {
        double s = 0;
        for (int p = 0; p < a.cols(); p++) s += elem(a, i, p) * elem(b, p, j);
        return s;
    }

    private static double elem(Matrix m, int i, int j) {
        return m.array() instanceof float[] f ? f[m.index(i, j)] : ((double[]) m.array())[m.index(i, j)];
    }
}
