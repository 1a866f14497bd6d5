package dev.kiln.eager.bench;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import sun.misc.Unsafe;

/**
 * Heap versus off-heap tensor storage, for {@code docs/storage.md}. Not a test: run by hand (see the doc for the
 * command). A standalone harness rather than JMH to keep the build simple: each case is warmed up for
 * {@value #WARMUP_MS} ms, then timed as {@value #SAMPLES} samples of about {@value #SAMPLE_MS} ms each, and the
 * median time per operation is reported (with the min and max sample).
 *
 * <ul>
 *   <li>sgemm, N×N·N×N: the heap path is Kiln's real eager {@code mm} on {@code float[]} tensors (dispatch, output
 *       allocation, copying the operands into off-heap scratch, OpenBLAS, copying the result back); the off-heap
 *       path is a bare {@code cblas_sgemm} on pre-allocated {@code FloatPointer}s, the best an off-heap storage
 *       could do.</li>
 *   <li>{@code c[i] = a[i]*b[i] + 1} on one thread, as generated loops would be: {@code float[]}, a direct
 *       {@code FloatBuffer} (absolute get/put), {@code Unsafe} on raw addresses, and JavaCPP
 *       {@code FloatPointer.get/put} (2^16 only: one JNI call per element).</li>
 * </ul>
 */
public final class StorageBench {
    static final int WARMUP_MS = 800;
    static final int SAMPLES = 15;
    static final int SAMPLE_MS = 60;
    static double sink;

    private StorageBench() {}

    public static void main(String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "threads=%d java=%s%n", Parallel.numThreads(), System.getProperty("java.version"));
        System.out.println("| case | size | storage | median | min | max | rate |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|");
        for (int n : new int[] {64, 256, 1024}) gemm(n);
        gemmViews();
        for (int log : new int[] {16, 24}) elementwise(1 << log, log);
    }

    // ------------------------------------------------------------------ sgemm

    static void gemm(int n) {
        Random r = new Random(1);
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
            b[i] = r.nextFloat();
        }
        float[] c = new float[n * n];
        double flops = 2.0 * n * n * n;
        Tensor ta = Tensor.wrap(a, n, n);
        Tensor tb = Tensor.wrap(b, n, n);
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b);
             FloatPointer pc = new FloatPointer((long) n * n)) {
            double[][] t = measure(
                    () -> sink += ta.mm(tb).storage().floats()[0],
                    () -> {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
                        sink += pc.get(0);
                    },
                    () -> {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f, a, n, b, n, 0f, c, n);
                        sink += c[0];
                    });
            String size = n + "³";
            report("sgemm", size, "heap float[] (Kiln mm: copy to off-heap scratch)", t[0], flops, "GFLOP/s");
            report("sgemm", size, "off-heap FloatPointer (bare cblas, no copy)", t[1], flops, "GFLOP/s");
            report("sgemm", size, "heap float[] passed to cblas_sgemm(float[]) (JNI copy)", t[2], flops, "GFLOP/s");
        }
    }

    /**
     * 64³ operands that are views inside 2^22-element storages: Kiln's {@code mm} copies just the matrices; the
     * naive heap call ({@code FloatBuffer.wrap(array, offset, length)}) makes JNI copy all three whole arrays.
     */
    static void gemmViews() {
        int n = 64;
        int big = 1 << 22;
        float[] a = new float[big];
        float[] b = new float[big];
        float[] c = new float[big];
        Random r = new Random(3);
        for (int i = 0; i < big; i++) {
            a[i] = r.nextFloat();
            b[i] = r.nextFloat();
        }
        int oa = 1000;
        int ob = 5000;
        Tensor ta = Tensor.fromStorage(Tensor.wrap(a, big).storage(), new int[] {n, n}, new int[] {n, 1}, oa);
        Tensor tb = Tensor.fromStorage(Tensor.wrap(b, big).storage(), new int[] {n, n}, new int[] {n, 1}, ob);
        double[][] t = measure(
                () -> sink += ta.mm(tb).storage().floats()[0],
                () -> {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f,
                            FloatBuffer.wrap(a, oa, n * n), n, FloatBuffer.wrap(b, ob, n * n), n, 0f,
                            FloatBuffer.wrap(c, 777, n * n), n);
                    sink += c[777];
                });
        double flops = 2.0 * n * n * n;
        report("sgemm, views in 2^22 storage", "64³", "heap float[] (Kiln mm)", t[0], flops, "GFLOP/s");
        report("sgemm, views in 2^22 storage", "64³", "heap FloatBuffer.wrap(a, off, len) (JNI copy)", t[1], flops,
                "GFLOP/s");
    }

    // ------------------------------------------------------------------ elementwise

    static void elementwise(int n, int log) throws Exception {
        String size = "2^" + log;
        double bytes = 12.0 * n; // two reads and one write of 4 bytes
        float[] a = new float[n];
        float[] b = new float[n];
        float[] c = new float[n];
        Random r = new Random(2);
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat();
            b[i] = r.nextFloat();
        }
        FloatBuffer da = direct(a);
        FloatBuffer db = direct(b);
        FloatBuffer dc = direct(new float[n]);
        Unsafe u = unsafe();
        long pa = u.allocateMemory(4L * n);
        long pb = u.allocateMemory(4L * n);
        long pc = u.allocateMemory(4L * n);
        try (FloatPointer fa = new FloatPointer(a); FloatPointer fb = new FloatPointer(b);
             FloatPointer fc = new FloatPointer((long) n)) {
            for (int i = 0; i < n; i++) {
                u.putFloat(pa + 4L * i, a[i]);
                u.putFloat(pb + 4L * i, b[i]);
            }
            Runnable heap = () -> {
                heapLoop(a, b, c, n);
                sink += c[n - 1];
            };
            Runnable buffer = () -> {
                bufferLoop(da, db, dc, n);
                sink += dc.get(n - 1);
            };
            Runnable unsafe = () -> {
                unsafeLoop(u, pa, pb, pc, n);
                sink += u.getFloat(pc + 4L * (n - 1));
            };
            Runnable jni = () -> {
                for (int i = 0; i < n; i++) fc.put(i, fa.get(i) * fb.get(i) + 1f);
                sink += fc.get(n - 1);
            };
            // FloatPointer.get/put is one JNI call per element: only timed at the small size.
            double[][] t = log <= 16 ? measure(heap, buffer, unsafe, jni) : measure(heap, buffer, unsafe);
            report("a*b+1", size, "heap float[]", t[0], bytes, "GB/s");
            report("a*b+1", size, "off-heap direct FloatBuffer get/put", t[1], bytes, "GB/s");
            report("a*b+1", size, "off-heap Unsafe getFloat/putFloat", t[2], bytes, "GB/s");
            if (t.length > 3) report("a*b+1", size, "off-heap FloatPointer get/put (JNI)", t[3], bytes, "GB/s");
        } finally {
            u.freeMemory(pa);
            u.freeMemory(pb);
            u.freeMemory(pc);
        }
    }

    static void heapLoop(float[] a, float[] b, float[] c, int n) {
        for (int i = 0; i < n; i++) c[i] = a[i] * b[i] + 1f;
    }

    static void bufferLoop(FloatBuffer a, FloatBuffer b, FloatBuffer c, int n) {
        for (int i = 0; i < n; i++) c.put(i, a.get(i) * b.get(i) + 1f);
    }

    static void unsafeLoop(Unsafe u, long a, long b, long c, int n) {
        for (long i = 0; i < 4L * n; i += 4) u.putFloat(c + i, u.getFloat(a + i) * u.getFloat(b + i) + 1f);
    }

    static FloatBuffer direct(float[] src) {
        FloatBuffer f = ByteBuffer.allocateDirect(4 * src.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        f.put(0, src);
        return f;
    }

    static Unsafe unsafe() throws Exception {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return (Unsafe) f.get(null);
    }

    // ------------------------------------------------------------------ harness

    /**
     * Seconds per operation, {median, min, max} over the samples, for each op. The ops are warmed up one after
     * the other, then their samples are taken round-robin, so that drift in the machine (this is a 2-vCPU VM with
     * noisy neighbours) hits all of them alike.
     */
    static double[][] measure(Runnable... ops) {
        long[] perSample = new long[ops.length];
        for (int k = 0; k < ops.length; k++) {
            long end = System.nanoTime() + WARMUP_MS * 1_000_000L;
            long reps = 0;
            while (System.nanoTime() < end) {
                ops[k].run();
                reps++;
            }
            perSample[k] = Math.max(1, reps * SAMPLE_MS / WARMUP_MS);
        }
        double[][] t = new double[ops.length][SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            for (int k = 0; k < ops.length; k++) {
                long t0 = System.nanoTime();
                for (long i = 0; i < perSample[k]; i++) ops[k].run();
                t[k][s] = (System.nanoTime() - t0) / 1e9 / perSample[k];
            }
        }
        double[][] out = new double[ops.length][];
        for (int k = 0; k < ops.length; k++) {
            Arrays.sort(t[k]);
            out[k] = new double[] {t[k][SAMPLES / 2], t[k][0], t[k][SAMPLES - 1]};
        }
        return out;
    }

    static void report(String name, String size, String storage, double[] t, double work, String unit) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.2f %s |%n", name, size, storage,
                time(t[0]), time(t[1]), time(t[2]), work / t[0] / 1e9, unit);
    }

    static String time(double s) {
        if (s < 1e-3) return String.format(Locale.ROOT, "%.2f µs", s * 1e6);
        return String.format(Locale.ROOT, "%.3f ms", s * 1e3);
    }
}
