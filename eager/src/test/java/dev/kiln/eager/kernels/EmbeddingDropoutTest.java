package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.KernelTesting.assertFails;
import static dev.kiln.eager.kernels.KernelTesting.randF;
import static dev.kiln.eager.kernels.KernelTesting.transposedF;
import static dev.kiln.eager.kernels.KernelTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingDropoutTest {
    private final Random rnd = new Random(5);

    @Test
    void embeddingPicksRows() {
        Tensor w = transposedF(rnd, 6, 4); // non-contiguous weight
        double[] wv = values(w);
        for (Tensor idx : new Tensor[] {Tensor.ofLongs(new long[] {5, 0, 2, 2, 1, 3}, 2, 3),
                Tensor.ofInts(new int[] {5, 0, 2, 2, 1, 3}, 2, 3)}) {
            Tensor y = F.embedding(idx, w);
            assertArrayEquals(new int[] {2, 3, 4}, y.intShape());
            double[] got = values(y);
            long[] ids = {5, 0, 2, 2, 1, 3};
            for (int r = 0; r < 6; r++) {
                for (int j = 0; j < 4; j++) assertEquals(wv[(int) ids[r] * 4 + j], got[r * 4 + j]);
            }
        }
        Tensor scalarIdx = F.embedding(Tensor.scalarTensor(1, DType.INT64), w);
        assertArrayEquals(new int[] {4}, scalarIdx.intShape());
        assertArrayEquals(new int[] {0, 4}, F.embedding(Tensor.ofLongs(new long[0]), w).intShape());
    }

    @Test
    void embeddingErrors() {
        Tensor w = randF(rnd, 5, 3);
        assertFails(() -> F.embedding(Tensor.ofLongs(new long[] {1, 7}), w), "aten::embedding", "indices", "7", "5");
        assertFails(() -> F.embedding(Tensor.ofInts(new int[] {-1}), w), "aten::embedding", "-1", "5");
        assertFails(() -> F.embedding(Tensor.of(new float[] {1}), w), "aten::embedding", "indices", "int64",
                "float32");
        assertFails(() -> F.embedding(Tensor.ofLongs(new long[] {1}), randF(rnd, 5)), "aten::embedding", "weight",
                "2-d", "1-d");
    }

    private static Tensor dropout(Tensor x, double p, boolean train, Long seed) {
        return Dispatcher.call1(Op.DROPOUT, Attrs.of(Op.DROPOUT).set("p", p).set("train", train).set("seed", seed)
                .build(), x);
    }

    @Test
    void dropoutEvalCopiesAndTrainingMasksAndScales() {
        Tensor x = randF(rnd, 64, 64);
        Tensor e = dropout(x, 0.3, false, null);
        assertNotSame(x, e);
        assertArrayEquals(values(x), values(e));
        Tensor y = dropout(x, 0.25, true, 42L);
        double[] xv = values(x);
        double[] yv = values(y);
        float scale = 1f / 0.75f;
        int zeros = 0;
        for (int i = 0; i < xv.length; i++) {
            if (yv[i] == 0) zeros++;
            else assertEquals((float) xv[i] * scale, (float) yv[i]);
        }
        double frac = zeros / (double) xv.length;
        assertTrue(Math.abs(frac - 0.25) < 0.03, "dropped fraction " + frac);
        assertArrayEquals(yv, values(dropout(x, 0.25, true, 42L)), "same seed, same mask");
        Tensor p1 = dropout(x, 1.0, true, 1L);
        for (double v : values(p1)) assertTrue(v == 0, "p=1 zeroes everything (x * 0, so -0.0 for negative x)");
        assertArrayEquals(xv, values(dropout(x, 0.0, true, 1L)));
        // Non-contiguous input in eval.
        Tensor t = transposedF(rnd, 3, 5);
        assertArrayEquals(values(t), values(dropout(t, 0.5, false, null)));
    }

    @Test
    void dropoutErrors() {
        assertFails(() -> dropout(randF(rnd, 3), 1.5, true, 1L), "aten::dropout", "p", "[0, 1]", "1.5");
        assertFails(() -> dropout(randF(rnd, 3), -0.1, false, null), "aten::dropout", "p", "-0.1");
        assertFails(() -> dropout(Tensor.ofLongs(new long[] {1}), 0.5, true, 1L), "aten::dropout", "floating");
    }
}
