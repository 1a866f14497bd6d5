package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.TestTensors.assertFails;
import static dev.kiln.eager.kernels.TestTensors.assertFreshContiguous;
import static dev.kiln.eager.kernels.TestTensors.iota;
import static dev.kiln.eager.kernels.TestTensors.unravel;
import static dev.kiln.eager.kernels.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import org.junit.jupiter.api.Test;

/** {@link Copy}: strided, broadcasting, converting copies checked element by element. */
class CopyTest {

    /** A storage whose element k is (k - 10) * 0.75 for floats, k - 10 for integers, k % 3 == 0 for bools. */
    private static Storage mixedStorage(DType dtype, int n) {
        Storage st = Storage.allocate(dtype, n);
        for (int k = 0; k < n; k++) {
            double v = dtype.isFloatingPoint() ? (k - 10) * 0.75 : dtype == DType.BOOL ? (k % 3 == 0 ? 1 : 0) : k - 10;
            st.setDouble(k, v);
        }
        return st;
    }

    /** C-cast conversion of {@code v} to {@code to}, as PyTorch's copy_ performs it. */
    private static double converted(double v, DType to) {
        return switch (to) {
            case BOOL -> v != 0 ? 1 : 0;
            case INT32, INT64 -> (long) v;
            case FLOAT32 -> (float) v;
            case FLOAT64 -> v;
        };
    }

    @Test
    void everyDTypePairFromAStridedSource() {
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                Tensor src = Tensor.fromStorage(mixedStorage(from, 40), new int[] {3, 4}, new int[] {1, 7}, 2);
                Tensor dst = Copy.contiguous(src, to);
                assertFreshContiguous(dst);
                assertEquals(to, dst.dtype());
                for (int k = 0; k < 12; k++) {
                    long[] idx = unravel(k, new int[] {3, 4});
                    assertEquals(converted(src.getDouble(idx), to), dst.getDouble(idx), from + " -> " + to);
                }
            }
        }
    }

    @Test
    void writesOnlyTheDestinationViewsElements() {
        Tensor src = iota(DType.INT64, 2, 3);
        Storage st = Storage.allocate(DType.FLOAT64, 20);
        java.util.Arrays.fill(st.doubles(), -1.0);
        Tensor dst = Tensor.fromStorage(st, new int[] {2, 3}, new int[] {1, 5}, 4); // transposed, with gaps
        Copy.into(src, dst);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) assertEquals(src.getDouble(i, j), dst.getDouble(i, j));
        }
        int untouched = 0;
        for (double v : st.doubles()) if (v == -1.0) untouched++;
        assertEquals(20 - 6, untouched);
    }

    @Test
    void broadcastsTheSource() {
        Tensor src = iota(3, 1);
        Tensor dst = Tensor.empty(DType.FLOAT64, 2, 3, 4);
        Copy.into(src, dst);
        for (int k = 0; k < dst.numel(); k++) {
            long[] idx = unravel(k, dst.intShape());
            assertEquals(src.getDouble(idx[1], 0), dst.getDouble(idx));
        }
        Tensor fill = Tensor.empty(DType.INT32, 2, 2);
        Copy.into(Tensor.scalarTensor(7, DType.FLOAT32), fill);
        assertArrayEquals(new double[] {7, 7, 7, 7}, values(fill));
        assertFails(() -> Copy.into(iota(2, 3), Tensor.empty(DType.FLOAT32, 4)), "Copy.into", "[4]", "[2, 3]");
        assertFails(() -> Copy.into(iota(2, 3), Tensor.empty(DType.FLOAT32, 3)), "Copy.into", "broadcasts");
    }

    @Test
    void contiguousSourcesWithOffsetsAndEmptyOrScalarTensors() {
        Storage st = mixedStorage(DType.FLOAT32, 30);
        Tensor src = Tensor.fromStorage(st, new int[] {2, 5}, new int[] {5, 1}, 7);
        Tensor dst = Copy.contiguous(src);
        for (int k = 0; k < 10; k++) assertEquals(st.getDouble(7 + k), dst.getDouble(k / 5, k % 5));
        Tensor e = Copy.contiguous(Tensor.empty(DType.BOOL, 0, 4));
        assertArrayEquals(new int[] {0, 4}, e.intShape());
        Tensor s = Copy.contiguous(Tensor.scalarTensor(2.5, DType.FLOAT64), DType.INT64);
        assertEquals(0, s.dim());
        assertEquals(2, s.getLong());
    }

    @Test
    void largeStridedCopyMatchesElementwiseReference() {
        // Large enough to be split across threads.
        int rows = 300;
        int cols = 500;
        Tensor src = iota(DType.FLOAT64, cols, rows).transpose(0, 1);
        for (DType to : new DType[] {DType.FLOAT64, DType.FLOAT32, DType.INT64}) {
            Tensor dst = Copy.contiguous(src, to);
            Object data = dst.storage().array();
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double expected = j * rows + i;
                    double got = switch (to) {
                        case FLOAT64 -> ((double[]) data)[i * cols + j];
                        case FLOAT32 -> ((float[]) data)[i * cols + j];
                        default -> ((long[]) data)[i * cols + j];
                    };
                    assertEquals(expected, got);
                }
            }
        }
    }
}
