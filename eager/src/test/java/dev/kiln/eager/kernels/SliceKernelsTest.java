package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.TestTensors.assertFails;
import static dev.kiln.eager.kernels.TestTensors.assertGeometry;
import static dev.kiln.eager.kernels.TestTensors.iota;
import static dev.kiln.eager.kernels.TestTensors.strided;
import static dev.kiln.eager.kernels.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** select, slice, split, chunk: views with PyTorch's offsets and strides. */
class SliceKernelsTest {

    // ---------------------------------------------------------------- select

    @Test
    void selectRemovesDimAndMovesOffset() {
        Tensor x = iota(2, 3, 4);
        Tensor s = x.select(1, 2);
        assertGeometry(s, new int[] {2, 4}, new int[] {12, 1}, 8);
        assertGeometry(x.select(1, -1), new int[] {2, 4}, new int[] {12, 1}, 8);
        assertGeometry(x.select(0, 1), new int[] {3, 4}, new int[] {4, 1}, 12);
        assertGeometry(x.select(-1, 3), new int[] {2, 3}, new int[] {12, 4}, 3);
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 4; k++) assertEquals(x.getDouble(i, 2, k), s.getDouble(i, k));
        }
        s.storage().floats()[s.storageIndex(1, 3)] = -5f;
        assertEquals(-5.0, x.getDouble(1, 2, 3));
        assertGeometry(iota(3).select(0, 1), new int[0], new int[0], 1);
    }

    @Test
    void selectOnNonContiguousInput() {
        Tensor x = strided(DType.FLOAT64, 20, new int[] {3, 4}, new int[] {1, 3}, 5);
        Tensor s = x.select(0, 2);
        assertGeometry(s, new int[] {4}, new int[] {3}, 7);
        assertArrayEquals(new double[] {107, 110, 113, 116}, values(s));
    }

    @Test
    void selectErrors() {
        Tensor x = iota(2, 4);
        assertFails(() -> x.select(1, 5), "aten::select", "'index'", "index 5 is out of range for dimension 1 of "
                + "size 4", "[-4, 3]");
        assertFails(() -> x.select(1, -5), "aten::select", "'index'", "index -5 is out of range");
        assertFails(() -> x.select(2, 0), "aten::select", "'dim'", "[-2, 1]", "found 2");
        assertFails(() -> Tensor.scalarTensor(1, DType.FLOAT32).select(0, 0), "aten::select", "'self'",
                "at least 1 dimension", "0-d");
        assertFails(() -> Tensor.empty(DType.FLOAT32, 0, 3).select(0, 0), "aten::select", "index 0 is out of range "
                + "for dimension 0 of size 0");
    }

    // ---------------------------------------------------------------- slice

    /** Python's {@code list[start:end:step]} for step ≥ 1, written from the language reference. */
    private static List<Integer> pythonSlice(int n, Integer start, Integer end, int step) {
        int lo = start == null ? 0 : start < 0 ? Math.max(start + n, 0) : Math.min(start, n);
        int hi = end == null ? n : end < 0 ? Math.max(end + n, 0) : Math.min(end, n);
        List<Integer> out = new ArrayList<>();
        for (int i = lo; i < hi; i += step) out.add(i);
        return out;
    }

    private static Tensor slice(Tensor x, int dim, Integer start, Integer end, int step) {
        Attrs.Builder b = Attrs.of(Op.SLICE).set("dim", dim).set("step", step);
        if (start != null) b.set("start", start);
        if (end != null) b.set("end", end);
        return Dispatcher.call1(Op.SLICE, b.build(), x);
    }

    @Test
    void sliceFollowsPythonSemantics() {
        int n = 7;
        Tensor x = iota(DType.INT64, n);
        Integer[] bounds = {null, -10, -7, -6, -3, -1, 0, 1, 3, 6, 7, 8, 100};
        for (Integer start : bounds) {
            for (Integer end : bounds) {
                for (int step = 1; step <= 4; step++) {
                    List<Integer> expected = pythonSlice(n, start, end, step);
                    Tensor s = slice(x, 0, start, end, step);
                    double[] got = values(s);
                    String what = "[" + start + ":" + end + ":" + step + "]";
                    assertEquals(expected.size(), got.length, what);
                    for (int i = 0; i < got.length; i++) assertEquals(expected.get(i), (int) got[i], what);
                    assertSame(x.storage(), s.storage());
                    assertEquals(step, s.stride(0), what);
                }
            }
        }
    }

    @Test
    void sliceGeometry() {
        Tensor x = iota(10);
        assertGeometry(x.slice(0, 2, 8, 3), new int[] {2}, new int[] {3}, 2);
        Tensor y = iota(3, 4);
        Tensor s = y.slice(1, 1, 4, 2);
        assertGeometry(s, new int[] {3, 2}, new int[] {4, 2}, 1);
        assertArrayEquals(new double[] {1, 3, 5, 7, 9, 11}, values(s));
        assertGeometry(y.slice(0, -2, Long.MAX_VALUE, 1), new int[] {2, 4}, new int[] {4, 1}, 4);
        assertGeometry(y.slice(-1, 3, 1, 1), new int[] {3, 0}, new int[] {4, 1}, 3);
        assertGeometry(y.slice(1, 0, 4, Long.MAX_VALUE), new int[] {3, 1}, new int[] {4, 1}, 0);
        Tensor off = strided(DType.FLOAT32, 40, new int[] {4, 3}, new int[] {1, 10}, 6);
        assertGeometry(off.slice(0, 1, 4, 2), new int[] {2, 3}, new int[] {2, 10}, 7);
        s.storage().floats()[s.storageIndex(2, 1)] = -3f;
        assertEquals(-3.0, y.getDouble(2, 3));
        // A narrow of an empty dim and a slice starting at the end are empty but valid views.
        assertGeometry(Tensor.empty(DType.BOOL, 0, 2).slice(0, 0, 5, 1), new int[] {0, 2}, new int[] {2, 1}, 0);
        assertGeometry(y.narrow(1, 4, 0), new int[] {3, 0}, new int[] {4, 1}, 4);
    }

    @Test
    void sliceErrors() {
        Tensor x = iota(3, 4);
        assertFails(() -> x.slice(0, 0, 3, 0), "aten::slice", "'step'", "positive", "found 0");
        assertFails(() -> x.slice(0, 0, 3, -1), "aten::slice", "'step'", "found -1");
        assertFails(() -> x.slice(2, 0, 3, 1), "aten::slice", "'dim'", "found 2");
        assertFails(() -> Tensor.scalarTensor(1, DType.FLOAT32).slice(0, 0, 1, 1), "aten::slice", "'self'",
                "0-d");
    }

    // ---------------------------------------------------------------- split / chunk

    private static void assertPieces(List<Tensor> pieces, int dim, int[] sizes, int[] offsets, Tensor source) {
        assertEquals(sizes.length, pieces.size(), "number of pieces");
        for (int i = 0; i < sizes.length; i++) {
            Tensor p = pieces.get(i);
            assertEquals(sizes[i], p.size(dim), "size of piece " + i);
            assertEquals(offsets[i], p.storageOffset(), "offset of piece " + i);
            assertArrayEquals(source.strides(), p.strides(), "strides of piece " + i);
            assertSame(source.storage(), p.storage());
        }
    }

    @Test
    void splitGivesEqualPiecesAndARemainder() {
        Tensor x = iota(5, 2);
        assertPieces(x.split(2, 0), 0, new int[] {2, 2, 1}, new int[] {0, 4, 8}, x);
        Tensor y = iota(2, 5);
        List<Tensor> p = y.split(2, 1);
        assertPieces(p, 1, new int[] {2, 2, 1}, new int[] {0, 2, 4}, y);
        assertPieces(y.split(2, -1), 1, new int[] {2, 2, 1}, new int[] {0, 2, 4}, y);
        for (int i = 0; i < 2; i++) assertEquals(y.getDouble(i, 4), p.get(2).getDouble(i, 0));
        p.get(1).storage().floats()[p.get(1).storageIndex(1, 1)] = -1f;
        assertEquals(-1.0, y.getDouble(1, 3));
        assertPieces(y.split(5, 1), 1, new int[] {5}, new int[] {0}, y);
        assertPieces(y.split(9, 1), 1, new int[] {5}, new int[] {0}, y);
        assertPieces(y.split(1, 0), 0, new int[] {1, 1}, new int[] {0, 5}, y);
    }

    @Test
    void splitOfEmptyDim() {
        Tensor e = Tensor.empty(DType.FLOAT32, 0, 3);
        assertPieces(e.split(2, 0), 0, new int[] {0}, new int[] {0}, e);
        assertPieces(e.split(0, 0), 0, new int[] {0}, new int[] {0}, e);
    }

    @Test
    void splitErrors() {
        Tensor x = iota(4, 2);
        assertFails(() -> x.split(0, 0), "aten::split", "'split_size'", "dimension 0 of size 4", "found 0");
        assertFails(() -> x.split(-1, 0), "aten::split", "'split_size'", "non-negative", "found -1");
        assertFails(() -> x.split(1, 2), "aten::split", "'dim'", "found 2");
        assertFails(() -> Tensor.scalarTensor(1, DType.FLOAT32).split(1, 0), "aten::split", "'self'", "0-d");
    }

    @Test
    void chunkUsesCeilSizeAndMayGiveFewerPieces() {
        Tensor x = iota(5);
        assertPieces(x.chunk(3, 0), 0, new int[] {2, 2, 1}, new int[] {0, 2, 4}, x);
        Tensor six = iota(6);
        assertPieces(six.chunk(4, 0), 0, new int[] {2, 2, 2}, new int[] {0, 2, 4}, six);
        Tensor four = iota(4);
        assertPieces(four.chunk(3, 0), 0, new int[] {2, 2}, new int[] {0, 2}, four);
        assertPieces(x.chunk(1, 0), 0, new int[] {5}, new int[] {0}, x);
        assertPieces(x.chunk(9, 0), 0, new int[] {1, 1, 1, 1, 1}, new int[] {0, 1, 2, 3, 4}, x);
        Tensor m = iota(3, 7);
        List<Tensor> p = m.chunk(2, 1);
        assertPieces(p, 1, new int[] {4, 3}, new int[] {0, 4}, m);
        assertEquals(m.getDouble(2, 6), p.get(1).getDouble(2, 2));
    }

    @Test
    void chunkOfEmptyDimGivesAllChunks() {
        Tensor e = Tensor.empty(DType.INT32, 2, 0);
        assertPieces(e.chunk(3, 1), 1, new int[] {0, 0, 0}, new int[] {0, 0, 0}, e);
    }

    @Test
    void chunkErrors() {
        assertFails(() -> iota(4).chunk(0, 0), "aten::chunk", "'chunks'", "greater than 0", "found 0");
        assertFails(() -> iota(4).chunk(2, 1), "aten::chunk", "'dim'", "found 1");
        assertFails(() -> Tensor.scalarTensor(1, DType.FLOAT32).chunk(1, 0), "aten::chunk", "'self'", "0-d");
    }
}
