package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.TestTensors.assertFails;
import static dev.kiln.eager.kernels.TestTensors.assertFreshContiguous;
import static dev.kiln.eager.kernels.TestTensors.assertGeometry;
import static dev.kiln.eager.kernels.TestTensors.iota;
import static dev.kiln.eager.kernels.TestTensors.strided;
import static dev.kiln.eager.kernels.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import org.junit.jupiter.api.Test;

/** view, reshape, flatten, transpose, permute, expand, squeeze, unsqueeze: geometry as PyTorch gives it. */
class ViewKernelsTest {

    // ---------------------------------------------------------------- view

    @Test
    void viewOfContiguousSharesStorage() {
        Tensor x = iota(2, 3, 4);
        Tensor y = x.view(6, 4);
        assertGeometry(y, new int[] {6, 4}, new int[] {4, 1}, 0);
        assertSame(x.storage(), y.storage());
        y.storage().floats()[y.storageIndex(5, 3)] = -7f;
        assertEquals(-7.0, x.getDouble(1, 2, 3));
        x.storage().floats()[x.storageIndex(0, 1, 2)] = -9f;
        assertEquals(-9.0, y.getDouble(1, 2));
    }

    @Test
    void viewInfersMinusOne() {
        Tensor x = iota(2, 3, 4);
        assertGeometry(x.view(-1), new int[] {24}, new int[] {1}, 0);
        assertGeometry(x.view(4, -1), new int[] {4, 6}, new int[] {6, 1}, 0);
        assertGeometry(x.view(2, -1, 2), new int[] {2, 6, 2}, new int[] {12, 2, 1}, 0);
        assertArrayEquals(values(x), values(x.view(4, -1)));
    }

    @Test
    void viewOfPaddedRowsKeepsOffsetAndChunkStrides() {
        // rows of 3 with a stride of 8: [2, 3] strides [8, 1] offset 2
        Tensor x = strided(DType.FLOAT32, 20, new int[] {2, 3}, new int[] {8, 1}, 2);
        assertGeometry(x.view(2, 1, 3), new int[] {2, 1, 3}, new int[] {8, 3, 1}, 2);
        assertGeometry(x.view(2, 3, 1), new int[] {2, 3, 1}, new int[] {8, 1, 1}, 2);
        assertFails(() -> x.view(6), "aten::view", "'size'", "view size is not compatible with input tensor's size "
                + "and stride", "Use .reshape(...) instead", "[2, 3]", "[8, 1]");
    }

    @Test
    void viewOfTransposedSplitsWithinAChunkOnly() {
        Tensor t = iota(2, 3).transpose(0, 1); // [3, 2] strides [1, 3]
        assertGeometry(t.view(3, 1, 2), new int[] {3, 1, 2}, new int[] {1, 6, 3}, 0);
        assertFails(() -> t.view(6), "aten::view", "'size'", "view size is not compatible with input tensor's size "
                + "and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) "
                + "instead.", "[3, 2]", "[1, 3]");
        assertFails(() -> iota(2, 3, 4).transpose(0, 2).view(4, 6), "aten::view", "Use .reshape(...) instead");
    }

    @Test
    void viewOfScalarAndEmpty() {
        Tensor s = Tensor.scalarTensor(3.0, DType.FLOAT64);
        assertGeometry(s.view(1), new int[] {1}, new int[] {1}, 0);
        assertGeometry(s.view(-1), new int[] {1}, new int[] {1}, 0);
        assertGeometry(s.view(1, 1), new int[] {1, 1}, new int[] {1, 1}, 0);
        assertGeometry(s.view(1).view(), new int[0], new int[0], 0);
        assertEquals(3.0, s.view(1, 1).getDouble(0, 0));

        Tensor e = Tensor.empty(DType.FLOAT32, 0, 3);
        assertGeometry(e.view(3, 0), new int[] {3, 0}, new int[] {1, 1}, 0);
        assertGeometry(e.view(-1), new int[] {0}, new int[] {1}, 0);
        assertGeometry(e.view(0, 3), new int[] {0, 3}, new int[] {3, 1}, 0);
        assertFails(() -> e.view(-1, 0), "aten::view", "'size'", "cannot reshape tensor of 0 elements",
                "[-1, 0]", "ambiguous");
    }

    @Test
    void viewRejectsBadSizes() {
        Tensor x = iota(2, 3, 4);
        assertFails(() -> x.view(-1, -1), "aten::view", "'size'", "only one dimension can be inferred", "[-1, -1]");
        assertFails(() -> x.view(5), "aten::view", "'size'", "24 elements", "shape '[5]' is invalid for input of "
                + "size 24");
        assertFails(() -> x.view(5, -1), "aten::view", "shape '[5, -1]' is invalid for input of size 24");
        assertFails(() -> x.view(-2, -12), "aten::view", "'size'", "invalid shape dimension -2");
    }

    // ---------------------------------------------------------------- reshape

    @Test
    void reshapeViewsWhenStridesAllow() {
        Tensor x = iota(2, 3, 4);
        Tensor y = x.reshape(3, 8);
        assertSame(x.storage(), y.storage());
        assertGeometry(y, new int[] {3, 8}, new int[] {8, 1}, 0);
        Tensor padded = strided(DType.INT64, 20, new int[] {2, 3}, new int[] {8, 1}, 2);
        Tensor z = padded.reshape(2, 3, 1);
        assertSame(padded.storage(), z.storage());
        assertGeometry(z, new int[] {2, 3, 1}, new int[] {8, 1, 1}, 2);
    }

    @Test
    void reshapeCopiesWhenAViewIsImpossible() {
        Tensor x = iota(2, 3, 4);
        Tensor t = x.transpose(0, 2); // [4, 3, 2]
        Tensor y = t.reshape(4, 6);
        assertNotSame(x.storage(), y.storage());
        assertFreshContiguous(y);
        assertArrayEquals(new int[] {4, 6}, y.intShape());
        // Row-major order of the transposed tensor: y[i, j*2 + k] = x[k, j, i].
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 2; k++) assertEquals(x.getDouble(k, j, i), y.getDouble(i, j * 2 + k));
            }
        }
        Tensor padded = strided(DType.INT32, 20, new int[] {2, 3}, new int[] {8, 1}, 2);
        Tensor flat = padded.reshape(-1);
        assertFreshContiguous(flat);
        assertArrayEquals(new double[] {102, 103, 104, 110, 111, 112}, values(flat));
        assertEquals(DType.INT32, flat.dtype());
    }

    @Test
    void reshapeScalarEmptyAndErrors() {
        Tensor s = Tensor.scalarTensor(2.0, DType.INT64);
        assertGeometry(s.reshape(1, 1), new int[] {1, 1}, new int[] {1, 1}, 0);
        assertGeometry(s.reshape(), new int[0], new int[0], 0);
        assertGeometry(Tensor.empty(DType.BOOL, 2, 0).reshape(0, 5), new int[] {0, 5}, new int[] {5, 1}, 0);
        assertFails(() -> iota(6).reshape(4, -1), "aten::reshape", "'shape'", "shape '[4, -1]' is invalid for "
                + "input of size 6");
        assertFails(() -> iota(6).reshape(-1, -1), "aten::reshape", "'shape'", "only one dimension");
    }

    // ---------------------------------------------------------------- flatten

    @Test
    void flattenViewsContiguousRanges() {
        Tensor x = iota(2, 3, 4);
        Tensor all = x.flatten();
        assertSame(x.storage(), all.storage());
        assertGeometry(all, new int[] {24}, new int[] {1}, 0);
        assertGeometry(x.flatten(1, 2), new int[] {2, 12}, new int[] {12, 1}, 0);
        assertGeometry(x.flatten(0, 1), new int[] {6, 4}, new int[] {4, 1}, 0);
        assertGeometry(x.flatten(-2, -1), new int[] {2, 12}, new int[] {12, 1}, 0);
        assertGeometry(x.flatten(1, 1), new int[] {2, 3, 4}, new int[] {12, 4, 1}, 0);
        // A transposed tensor can still merge the dims that stay contiguous: [4, 3, 2] strides [1, 4, 12].
        Tensor t = x.transpose(0, 2);
        assertGeometry(t.flatten(2, 2), new int[] {4, 3, 2}, new int[] {1, 4, 12}, 0);
    }

    @Test
    void flattenCopiesWhenNeeded() {
        Tensor x = iota(2, 3, 4);
        Tensor t = x.transpose(0, 2); // [4, 3, 2]
        Tensor f = t.flatten();
        assertFreshContiguous(f);
        int k = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                for (int l = 0; l < 2; l++) assertEquals(x.getDouble(l, j, i), f.getDouble(k++));
            }
        }
    }

    @Test
    void flattenScalarGivesOneDAndErrors() {
        Tensor s = Tensor.scalarTensor(5.0, DType.FLOAT32);
        Tensor f = s.flatten();
        assertGeometry(f, new int[] {1}, new int[] {1}, 0);
        assertSame(s.storage(), f.storage());
        assertGeometry(Tensor.empty(DType.FLOAT64, 2, 0, 3).flatten(), new int[] {0}, new int[] {1}, 0);
        Tensor x = iota(2, 3, 4);
        assertFails(() -> x.flatten(2, 1), "aten::flatten", "'start_dim'", "end_dim (1)", "found 2");
        assertFails(() -> x.flatten(3, 3), "aten::flatten", "'start_dim'", "[-3, 2]", "found 3");
        assertFails(() -> x.flatten(0, -4), "aten::flatten", "'end_dim'", "found -4");
    }

    // ---------------------------------------------------------------- transpose / permute

    @Test
    void transposeSwapsStridesAndShares() {
        Tensor x = iota(2, 3, 4);
        Tensor t = x.transpose(0, 2);
        assertGeometry(t, new int[] {4, 3, 2}, new int[] {1, 4, 12}, 0);
        assertGeometry(x.transpose(-1, 1), new int[] {2, 4, 3}, new int[] {12, 1, 4}, 0);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 2; k++) assertEquals(x.getDouble(k, j, i), t.getDouble(i, j, k));
            }
        }
        t.storage().floats()[t.storageIndex(3, 1, 0)] = -1f;
        assertEquals(-1.0, x.getDouble(0, 1, 3));
        Tensor off = strided(DType.FLOAT64, 30, new int[] {2, 3}, new int[] {10, 2}, 5);
        assertGeometry(off.t(), new int[] {3, 2}, new int[] {2, 10}, 5);
    }

    @Test
    void transposeOfScalarAndBadDims() {
        Tensor s = Tensor.scalarTensor(1.0, DType.FLOAT32);
        assertGeometry(s.transpose(0, 0), new int[0], new int[0], 0);
        assertGeometry(s.transpose(-1, 0), new int[0], new int[0], 0);
        assertFails(() -> iota(2, 3).transpose(0, 2), "aten::transpose", "'dim1'", "[-2, 1]", "found 2");
        assertFails(() -> iota(2, 3).transpose(-3, 0), "aten::transpose", "'dim0'", "found -3");
    }

    @Test
    void permuteReordersDims() {
        Tensor x = iota(2, 3, 4);
        Tensor p = x.permute(2, 0, 1);
        assertGeometry(p, new int[] {4, 2, 3}, new int[] {1, 12, 4}, 0);
        assertGeometry(x.permute(-1, -2, -3), new int[] {4, 3, 2}, new int[] {1, 4, 12}, 0);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 2; j++) {
                for (int k = 0; k < 3; k++) assertEquals(x.getDouble(j, k, i), p.getDouble(i, j, k));
            }
        }
        assertSame(x.storage(), p.storage());
        assertGeometry(Tensor.scalarTensor(1, DType.INT32).permute(), new int[0], new int[0], 0);
    }

    @Test
    void permuteRejectsNonPermutations() {
        Tensor x = iota(2, 3, 4);
        assertFails(() -> x.permute(0, 1), "aten::permute", "'dims'", "permutation of 3", "found 2", "[0, 1]");
        assertFails(() -> x.permute(0, 1, 1), "aten::permute", "'dims'", "repeated dim 1", "[0, 1, 1]");
        assertFails(() -> x.permute(0, -3, 1), "aten::permute", "'dims'", "repeated dim 0");
        assertFails(() -> x.permute(0, 1, 3), "aten::permute", "'dims'", "[-3, 2]", "found 3");
    }

    // ---------------------------------------------------------------- expand

    @Test
    void expandGivesZeroStridesToBroadcastDims() {
        Tensor x = iota(3, 1);
        Tensor e = x.expand(2, 3, 4);
        assertGeometry(e, new int[] {2, 3, 4}, new int[] {0, 1, 0}, 0);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) assertEquals(x.getDouble(j, 0), e.getDouble(i, j, k));
            }
        }
        assertGeometry(x.expand(-1, 5), new int[] {3, 5}, new int[] {1, 0}, 0);
        assertGeometry(x.expand(3, 1), new int[] {3, 1}, new int[] {1, 1}, 0);
        // A new leading dim of size 1 gets the stride of a contiguous outer dim.
        assertGeometry(x.expand(1, 3, 1), new int[] {1, 3, 1}, new int[] {3, 1, 1}, 0);
        assertGeometry(x.expand(1, 3, 6), new int[] {1, 3, 6}, new int[] {3, 1, 0}, 0);
        Tensor off = strided(DType.INT64, 10, new int[] {1, 3}, new int[] {7, 2}, 3);
        assertGeometry(off.expand(4, -1), new int[] {4, 3}, new int[] {0, 2}, 3);
        e.storage().floats()[e.storageIndex(1, 2, 3)] = 42f;
        assertEquals(42.0, x.getDouble(2, 0));
    }

    @Test
    void expandScalarAndEmpty() {
        Tensor s = Tensor.scalarTensor(7.0, DType.FLOAT64);
        Tensor e = s.expand(2, 3);
        assertGeometry(e, new int[] {2, 3}, new int[] {0, 0}, 0);
        assertArrayEquals(new double[] {7, 7, 7, 7, 7, 7}, values(e));
        assertGeometry(s.expand(), new int[0], new int[0], 0);
        assertGeometry(Tensor.empty(DType.FLOAT32, 0, 1).expand(0, 5), new int[] {0, 5}, new int[] {1, 0}, 0);
        assertGeometry(iota(2, 1).expand(2, 0), new int[] {2, 0}, new int[] {1, 0}, 0);
    }

    @Test
    void expandRejectsBadSizes() {
        Tensor x = iota(3, 1);
        assertFails(() -> x.expand(4, 2), "aten::expand", "'size'", "existing size 3", "non-singleton dimension 0",
                "found 4");
        assertFails(() -> x.expand(-1, 3, 1), "aten::expand", "'size'", "leading, non-existing dimension 0");
        assertFails(() -> x.expand(3), "aten::expand", "'size'", "at least 2 sizes", "found 1");
        assertFails(() -> x.expand(3, -2), "aten::expand", "'size'", "found -2");
        assertFails(() -> Tensor.scalarTensor(1, DType.FLOAT32).expand(-1), "aten::expand", "non-existing");
    }

    // ---------------------------------------------------------------- squeeze / unsqueeze

    @Test
    void squeezeRemovesSizeOneDims() {
        Tensor x = iota(1, 3, 1, 2); // strides [6, 2, 2, 1]
        assertGeometry(x.squeeze(), new int[] {3, 2}, new int[] {2, 1}, 0);
        assertGeometry(x.squeeze(0), new int[] {3, 1, 2}, new int[] {2, 2, 1}, 0);
        assertGeometry(x.squeeze(-2), new int[] {1, 3, 2}, new int[] {6, 2, 1}, 0);
        assertGeometry(x.squeeze(1), new int[] {1, 3, 1, 2}, new int[] {6, 2, 2, 1}, 0);
        assertSame(x.storage(), x.squeeze().storage());
        Tensor off = strided(DType.BOOL, 30, new int[] {2, 1}, new int[] {5, 9}, 4);
        assertGeometry(off.squeeze(), new int[] {2}, new int[] {5}, 4);
        assertGeometry(iota(1, 1).squeeze(), new int[0], new int[0], 0);
        assertGeometry(Tensor.empty(DType.FLOAT32, 0, 1).squeeze(), new int[] {0}, new int[] {1}, 0);
    }

    @Test
    void squeezeScalarAndBadDim() {
        Tensor s = Tensor.scalarTensor(1, DType.FLOAT32);
        assertGeometry(s.squeeze(), new int[0], new int[0], 0);
        assertGeometry(s.squeeze(0), new int[0], new int[0], 0);
        assertGeometry(s.squeeze(-1), new int[0], new int[0], 0);
        assertFails(() -> iota(1, 3).squeeze(2), "aten::squeeze", "'dim'", "[-2, 1]", "found 2");
        assertFails(() -> s.squeeze(1), "aten::squeeze", "'dim'", "found 1");
    }

    @Test
    void unsqueezeInsertsSizeOneDim() {
        Tensor x = iota(2, 3);
        assertGeometry(x.unsqueeze(0), new int[] {1, 2, 3}, new int[] {6, 3, 1}, 0);
        assertGeometry(x.unsqueeze(1), new int[] {2, 1, 3}, new int[] {3, 3, 1}, 0);
        assertGeometry(x.unsqueeze(2), new int[] {2, 3, 1}, new int[] {3, 1, 1}, 0);
        assertGeometry(x.unsqueeze(-1), new int[] {2, 3, 1}, new int[] {3, 1, 1}, 0);
        assertGeometry(x.unsqueeze(-3), new int[] {1, 2, 3}, new int[] {6, 3, 1}, 0);
        Tensor t = x.transpose(0, 1); // [3, 2] strides [1, 3]
        assertGeometry(t.unsqueeze(1), new int[] {3, 1, 2}, new int[] {1, 6, 3}, 0);
        Tensor s = Tensor.scalarTensor(1, DType.FLOAT32);
        assertGeometry(s.unsqueeze(0), new int[] {1}, new int[] {1}, 0);
        assertGeometry(s.unsqueeze(-1), new int[] {1}, new int[] {1}, 0);
        assertSame(x.storage(), x.unsqueeze(0).storage());
        assertFails(() -> x.unsqueeze(3), "aten::unsqueeze", "'dim'", "[-3, 2]", "found 3");
        assertFails(() -> x.unsqueeze(-4), "aten::unsqueeze", "'dim'", "found -4");
        assertFails(() -> s.unsqueeze(2), "aten::unsqueeze", "'dim'", "[-1, 0]", "found 2");
    }
}
