package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.kernels.StridedLoop;
import java.util.Arrays;

/**
 * Element copies straight between storages, without the {@link dev.kiln.eager.Dispatcher}.
 *
 * <p>Module state (initial parameters, loaded weights, tensors read from files) is bookkeeping, not computation:
 * it must not be recorded by a tracer and must not depend on any kernel family being present. These helpers read
 * any geometry (strides, offsets, 0-d, empty) and write fresh contiguous tensors or existing ones.
 */
public final class RawTensors {
    private RawTensors() {}

    /** A fresh contiguous tensor with {@code src}'s dtype, shape and elements, sharing nothing with it. */
    public static Tensor contiguousCopy(Tensor src) {
        Tensor dst = Tensor.empty(src.dtype(), src.intShape());
        copyInto(dst, src);
        return dst;
    }

    /**
     * Copies every element of {@code src} into {@code dst} at the same index. Both must have the same dtype and
     * shape; {@code dst} must not overlap {@code src} and must have no zero strides (no broadcast views), so every
     * element is written once.
     */
    public static void copyInto(Tensor dst, Tensor src) {
        if (dst.dtype() != src.dtype() || !Arrays.equals(dst.intShape(), src.intShape())) {
            throw new KilnException("copy: expected a source of " + dst.dtype() + " " + Arrays.toString(dst.shape())
                    + ", found " + src.dtype() + " " + Arrays.toString(src.shape()));
        }
        Object to = dst.storage().array();
        Object from = src.storage().array();
        StridedLoop.forEachRow(dst.intShape(), new int[][] {dst.strides(), src.strides()},
                new int[] {dst.storageOffset(), src.storageOffset()}, Parallel.ELEMENTWISE_GRAIN,
                (n, off, step) -> copyRow(dst.storage(), to, from, n, off, step));
    }

    private static void copyRow(Storage dstStorage, Object to, Object from, int n, int[] off, int[] step) {
        if (step[0] == 1 && step[1] == 1) {
            System.arraycopy(from, off[1], to, off[0], n); // dtype-agnostic for primitive arrays
            return;
        }
        int d = off[0];
        int s = off[1];
        switch (dstStorage.dtype()) {
            case FLOAT32 -> {
                float[] a = (float[]) to, b = (float[]) from;
                for (int i = 0; i < n; i++, d += step[0], s += step[1]) a[d] = b[s];
            }
            case FLOAT64 -> {
                double[] a = (double[]) to, b = (double[]) from;
                for (int i = 0; i < n; i++, d += step[0], s += step[1]) a[d] = b[s];
            }
            case INT32 -> {
                int[] a = (int[]) to, b = (int[]) from;
                for (int i = 0; i < n; i++, d += step[0], s += step[1]) a[d] = b[s];
            }
            case INT64 -> {
                long[] a = (long[]) to, b = (long[]) from;
                for (int i = 0; i < n; i++, d += step[0], s += step[1]) a[d] = b[s];
            }
            case BOOL -> {
                boolean[] a = (boolean[]) to, b = (boolean[]) from;
                for (int i = 0; i < n; i++, d += step[0], s += step[1]) a[d] = b[s];
            }
        }
    }
}
