package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import org.junit.jupiter.api.function.Executable;

/** Test inputs and independent readers: element access goes through {@code storageIndex}, never through kernels. */
final class TestTensors {
    private TestTensors() {}

    /** A contiguous float32 tensor holding 0, 1, 2, ... in row-major order. */
    static Tensor iota(int... shape) { return iota(DType.FLOAT32, shape); }

    /** A contiguous tensor of {@code dtype} holding 0, 1, 2, ... (bools alternate false, true). */
    static Tensor iota(DType dtype, int... shape) {
        long n = 1;
        for (int s : shape) n *= s;
        Storage st = Storage.allocate(dtype, n);
        for (int i = 0; i < n; i++) st.setDouble(i, dtype == DType.BOOL ? i % 2 : i);
        return Tensor.fromStorage(st, shape, contiguous(shape), 0);
    }

    /**
     * A tensor of {@code shape}/{@code strides}/{@code offset} over a fresh storage of {@code storageSize} elements,
     * storage element k holding k + 100 (so padding is distinguishable from data).
     */
    static Tensor strided(DType dtype, int storageSize, int[] shape, int[] strides, int offset) {
        Storage st = Storage.allocate(dtype, storageSize);
        for (int i = 0; i < storageSize; i++) st.setDouble(i, dtype == DType.BOOL ? i % 3 == 0 ? 1 : 0 : i + 100);
        return Tensor.fromStorage(st, shape, strides, offset);
    }

    static int[] contiguous(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /** Every element in row-major order, read one by one from storage. */
    static double[] values(Tensor t) {
        int[] shape = t.intShape();
        int n = (int) t.numel();
        double[] out = new double[n];
        long[] idx = new long[shape.length];
        for (int k = 0; k < n; k++) {
            out[k] = t.getDouble(idx);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    /** The row-major multi-index of linear position {@code k} in {@code shape}. */
    static long[] unravel(int k, int[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = k % shape[d];
            k /= shape[d];
        }
        return idx;
    }

    static void assertGeometry(Tensor t, int[] shape, int[] strides, int offset) {
        assertArrayEquals(shape, t.intShape(), "shape");
        assertArrayEquals(strides, t.strides(), "strides");
        assertEquals(offset, t.storageOffset(), "storage offset");
    }

    /** A fresh contiguous tensor with offset 0 and a storage of exactly its elements. */
    static void assertFreshContiguous(Tensor t) {
        assertTrue(t.isContiguous(), "contiguous");
        assertEquals(0, t.storageOffset(), "offset");
        assertEquals(t.numel(), t.storage().length(), "storage length");
    }

    /** Asserts {@code call} throws a {@link KilnException} whose message contains every fragment. */
    static KilnException assertFails(Executable call, String... fragments) {
        KilnException e = assertThrows(KilnException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
        }
        return e;
    }
}
