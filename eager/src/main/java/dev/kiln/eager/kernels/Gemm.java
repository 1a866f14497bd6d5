package dev.kiln.eager.kernels;

/**
 * The eager kernels' GEMM entry point: {@code C = A · B} into the contiguous {@code m × n} block of {@code c} at
 * {@code cOff}. Float and double products run on OpenBLAS ({@link Blas}) unless {@link NativeBlas#useJava} keeps a
 * small one in Java while OpenBLAS is not loaded; integer products always run in Java ({@link JavaGemm}).
 */
final class Gemm {
    private Gemm() {}

    static void gemm(Matrix a, Matrix b, Object c, int cOff) {
        boolean blasType = c instanceof float[] || c instanceof double[];
        if (blasType && !NativeBlas.useJava((long) a.rows() * a.cols() * b.cols())) Blas.gemm(a, b, c, cOff);
        else JavaGemm.gemm(a, b, c, cOff);
    }
}
