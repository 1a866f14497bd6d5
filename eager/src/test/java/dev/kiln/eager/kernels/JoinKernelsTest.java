package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.TestTensors.assertFails;
import static dev.kiln.eager.kernels.TestTensors.assertFreshContiguous;
import static dev.kiln.eager.kernels.TestTensors.iota;
import static dev.kiln.eager.kernels.TestTensors.strided;
import static dev.kiln.eager.kernels.TestTensors.unravel;
import static dev.kiln.eager.kernels.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cat and stack: values, promoted dtype, non-contiguous inputs, PyTorch's legacy-empty rule and errors. */
class JoinKernelsTest {

    /**
     * Reference cat: the element of the output at {@code idx} comes from the input whose range along {@code dim}
     * holds {@code idx[dim]}.
     */
    private static void assertCat(Tensor out, int dim, Tensor... parts) {
        int[] shape = out.intShape();
        for (int k = 0; k < out.numel(); k++) {
            long[] idx = unravel(k, shape);
            long pos = idx[dim];
            for (Tensor p : parts) {
                if (pos < p.size(dim)) {
                    long[] src = idx.clone();
                    src[dim] = pos;
                    assertEquals(p.getDouble(src), out.getDouble(idx), "element " + k);
                    break;
                }
                pos -= p.size(dim);
            }
        }
    }

    @Test
    void catAlongEachDim() {
        Tensor a = iota(2, 3, 4);
        Tensor b = strided(DType.FLOAT32, 100, new int[] {2, 3, 4}, new int[] {1, 2, 6}, 30);
        for (int dim = -3; dim < 3; dim++) {
            Tensor out = Tensor.cat(dim, a, b);
            int d = dim < 0 ? dim + 3 : dim;
            int[] expected = {2, 3, 4};
            expected[d] *= 2;
            assertArrayEquals(expected, out.intShape());
            assertFreshContiguous(out);
            assertCat(out, d, a, b);
        }
        Tensor c = iota(2, 1, 4);
        Tensor out = Tensor.cat(1, a, c, a.transpose(1, 1));
        assertArrayEquals(new int[] {2, 7, 4}, out.intShape());
        assertCat(out, 1, a, c, a);
    }

    @Test
    void catPromotesAcrossAllDTypes() {
        for (DType d1 : DType.values()) {
            for (DType d2 : DType.values()) {
                Tensor a = iota(d1, 2, 3);
                Tensor b = iota(d2, 3, 2).transpose(0, 1); // non-contiguous [2, 3]
                Tensor out = Tensor.cat(1, a, b);
                assertEquals(DType.promote(d1, d2), out.dtype(), d1 + " with " + d2);
                assertArrayEquals(new int[] {2, 6}, out.intShape());
                assertCat(out, 1, a, b);
            }
        }
    }

    @Test
    void catSkipsLegacyEmptyTensors() {
        Tensor a = iota(2, 3);
        Tensor legacy = Tensor.empty(DType.FLOAT64, 0);
        Tensor out = Tensor.cat(1, legacy, a, legacy, a);
        assertArrayEquals(new int[] {2, 6}, out.intShape());
        assertEquals(DType.FLOAT64, out.dtype(), "skipped tensors still count for the dtype");
        assertCat(out, 1, a, a);
        // Only [0] is skipped: a [2, 0] tensor takes part (and must match).
        Tensor out2 = Tensor.cat(1, a, Tensor.empty(DType.FLOAT32, 2, 0));
        assertArrayEquals(a.intShape(), out2.intShape());
        assertFails(() -> Tensor.cat(0, a, Tensor.empty(DType.FLOAT32, 0, 2)), "aten::cat",
                "expected size 3 at dimension 1", "found size 2 in tensor 1");
        // All skipped: an empty 1-d tensor of the promoted dtype.
        Tensor none = Tensor.cat(0, Tensor.empty(DType.INT32, 0), Tensor.empty(DType.INT64, 0));
        assertArrayEquals(new int[] {0}, none.intShape());
        assertEquals(DType.INT64, none.dtype());
        // dim wraps against the first tensor that is not skipped.
        assertArrayEquals(new int[] {2, 6}, Tensor.cat(-1, legacy, a, a).intShape());
    }

    @Test
    void catOfExpandedInputs() {
        Tensor row = iota(DType.INT32, 1, 4);
        Tensor wide = row.expand(3, 4); // stride 0 along dim 0
        Tensor out = Tensor.cat(0, wide, iota(DType.INT32, 2, 4));
        assertArrayEquals(new int[] {5, 4}, out.intShape());
        assertCat(out, 0, wide, iota(DType.INT32, 2, 4));
        Tensor col = Tensor.cat(1, Tensor.scalarTensor(9, DType.FLOAT32).expand(2, 1), iota(2, 2));
        assertArrayEquals(new double[] {9, 0, 1, 9, 2, 3}, values(col));
    }

    @Test
    void catOfEmptyAndSingle() {
        Tensor a = iota(DType.INT32, 0, 3);
        Tensor out = Tensor.cat(0, a, a);
        assertArrayEquals(new int[] {0, 3}, out.intShape());
        Tensor single = Tensor.cat(0, iota(DType.BOOL, 3));
        assertArrayEquals(values(iota(DType.BOOL, 3)), values(single));
        assertFreshContiguous(single);
    }

    @Test
    void catErrors() {
        Tensor a = iota(2, 3, 4);
        assertFails(() -> Tensor.cat(0, a, iota(3, 4)), "aten::cat", "'tensors'",
                "expected all tensors to have 3 dimensions like tensor 0, found 2 in tensor 1");
        assertFails(() -> Tensor.cat(1, Tensor.empty(DType.FLOAT32, 0), a, iota(2, 5, 5)), "aten::cat",
                "'tensors'", "except in dimension 1", "expected size 4 at dimension 2 like tensor 1",
                "found size 5 in tensor 2");
        assertFails(() -> Tensor.cat(List.of(), 0), "aten::cat", "'tensors'", "non-empty", "empty list");
        assertFails(() -> Tensor.cat(0, a, Tensor.scalarTensor(1, DType.FLOAT32)), "aten::cat", "'tensors'",
                "at least 1 dimension", "0-d tensor at position 1");
        assertFails(() -> Tensor.cat(3, a, a), "aten::cat", "'dim'", "[-3, 2]", "found 3");
    }

    @Test
    void catDoesNotModifyInputs() {
        Tensor a = iota(2, 3);
        double[] before = values(a);
        Tensor out = Tensor.cat(0, a, a);
        out.storage().floats()[0] = 99f;
        assertArrayEquals(before, values(a));
    }

    // ---------------------------------------------------------------- stack

    @Test
    void stackAlongEachDim() {
        Tensor a = iota(2, 3);
        Tensor b = strided(DType.FLOAT32, 50, new int[] {2, 3}, new int[] {1, 4}, 7);
        Tensor c = iota(3, 2).transpose(0, 1);
        for (int dim = -3; dim <= 2; dim++) {
            Tensor out = Tensor.stack(dim, a, b, c);
            int d = dim < 0 ? dim + 3 : dim;
            int[] expected = new int[3];
            for (int i = 0, k = 0; i < 3; i++) expected[i] = i == d ? 3 : new int[] {2, 3}[k++];
            assertArrayEquals(expected, out.intShape(), "dim " + dim);
            assertFreshContiguous(out);
            Tensor[] parts = {a, b, c};
            for (int k = 0; k < out.numel(); k++) {
                long[] idx = unravel(k, out.intShape());
                long[] src = new long[2];
                for (int i = 0, j = 0; i < 3; i++) if (i != d) src[j++] = idx[i];
                assertEquals(parts[(int) idx[d]].getDouble(src), out.getDouble(idx));
            }
        }
    }

    @Test
    void stackPromotesAllDTypes() {
        for (DType d1 : DType.values()) {
            for (DType d2 : DType.values()) {
                Tensor out = Tensor.stack(1, iota(d1, 2), iota(d2, 2));
                assertEquals(DType.promote(d1, d2), out.dtype());
                assertArrayEquals(new int[] {2, 2}, out.intShape());
                for (int i = 0; i < 2; i++) {
                    assertEquals(iota(d1, 2).getDouble(i), out.getDouble(i, 0));
                    assertEquals(iota(d2, 2).getDouble(i), out.getDouble(i, 1));
                }
            }
        }
    }

    @Test
    void stackOfScalarsAndEmpties() {
        Tensor out = Tensor.stack(0, Tensor.scalarTensor(1.5, DType.FLOAT64), Tensor.scalarTensor(2, DType.FLOAT64));
        assertArrayEquals(new int[] {2}, out.intShape());
        assertArrayEquals(new double[] {1.5, 2}, values(out));
        Tensor e = Tensor.empty(DType.FLOAT32, 0);
        assertArrayEquals(new int[] {2, 0}, Tensor.stack(0, e, e).intShape());
        assertArrayEquals(new int[] {0, 2}, Tensor.stack(1, e, e).intShape());
    }

    @Test
    void stackErrors() {
        Tensor a = iota(2, 3);
        assertFails(() -> Tensor.stack(0, a, iota(2, 4)), "aten::stack", "'tensors'", "equal size",
                "[2, 3] at entry 0 and [2, 4] at entry 1");
        assertFails(() -> Tensor.stack(List.of(), 0), "aten::stack", "'tensors'", "non-empty");
        assertFails(() -> Tensor.stack(3, a, a), "aten::stack", "'dim'", "[-3, 2]", "found 3");
        assertFails(() -> Dispatcher.call1(Op.STACK, Attrs.of(Op.STACK).set("dim", -4).build(), a), "aten::stack",
                "found -4");
    }
}
