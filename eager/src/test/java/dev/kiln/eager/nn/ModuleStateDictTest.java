package dev.kiln.eager.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Generator;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** State-dict key names, order, shapes and dtypes, checked against what PyTorch 1.13 produces for the same modules. */
class ModuleStateDictTest {
    private static List<String> keys(Module m) { return List.copyOf(m.stateDict().keySet()); }

    @Test
    void sequentialOfLinearAndBatchNorm() {
        Sequential s = new Sequential(new Linear(3, 4), new BatchNorm2d(4));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked"), keys(s));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(s.namedParameters().keySet()));
        assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"),
                List.copyOf(s.namedBuffers().keySet()));
        assertEquals(2, s.size());
        assertTrue(s.get(-1) instanceof BatchNorm2d);
    }

    @Test
    void nestedContainersComposeDottedPaths() {
        ModuleList blocks = new ModuleList(new Linear(2, 2, false), new LayerNorm(2));
        Sequential s = new Sequential(new Sequential(new ReLU(), new Linear(2, 3)), blocks, new Dropout(0.1));
        assertEquals(List.of("0.1.weight", "0.1.bias", "1.0.weight", "1.1.weight", "1.1.bias"), keys(s));
        assertEquals(List.of("", "0", "0.0", "0.1", "1", "1.0", "1.1", "2"), List.copyOf(s.namedModules().keySet()));
        assertSame(blocks.get(1), s.namedModules().get("1.1"));
        assertEquals(2, blocks.size());
        int n = 0;
        for (Module m : blocks) n++;
        assertEquals(2, n);
        assertThrows(KilnException.class, () -> blocks.get(2));
    }

    @Test
    void lenetLikeModelMatchesPyTorchOrder() {
        assertEquals(List.of("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
                "bn1.running_var", "bn1.num_batches_tracked", "conv2.weight", "conv2.bias", "bn2.weight", "bn2.bias",
                "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked", "fc1.weight", "fc1.bias",
                "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"), keys(new Models.LeNetBN()));
    }

    @Test
    void shapesAndDtypes() {
        Map<String, Tensor> conv = Conv2d.builder(4, 8, 3, 5).groups(2).bias(false).build().stateDict();
        assertEquals(List.of("weight"), List.copyOf(conv.keySet()));
        assertArrayEquals(new long[] {8, 2, 3, 5}, conv.get("weight").shape());

        Map<String, Tensor> bn = new BatchNorm2d(6).stateDict();
        assertArrayEquals(new long[] {6}, bn.get("running_var").shape());
        Tensor count = bn.get("num_batches_tracked");
        assertEquals(DType.INT64, count.dtype());
        assertEquals(0, count.dim());
        assertEquals(0, count.itemLong());
        for (String k : List.of("weight", "bias", "running_mean", "running_var")) {
            assertEquals(DType.FLOAT32, bn.get(k).dtype(), k);
        }

        Map<String, Tensor> ln = new LayerNorm(new long[] {3, 4}, 1e-6, true).stateDict();
        assertArrayEquals(new long[] {3, 4}, ln.get("weight").shape());
        assertArrayEquals(new long[] {5, 7}, new Embedding(5, 7).stateDict().get("weight").shape());
        assertArrayEquals(new long[] {4, 3}, new Linear(3, 4).stateDict().get("weight").shape());
    }

    @Test
    void absentParametersAndBuffersStayOutOfTheStateDict() {
        assertEquals(List.of("weight"), keys(new Linear(3, 4, false)));
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"),
                keys(new BatchNorm2d(3, 1e-5, 0.1, false, true)));
        assertEquals(List.of("weight", "bias"), keys(new BatchNorm2d(3, 1e-5, 0.1, true, false)));
        assertEquals(List.of(), keys(new BatchNorm2d(3, 1e-5, 0.1, false, false)));
        assertEquals(List.of(), keys(new LayerNorm(new long[] {3}, 1e-5, false)));
        for (Module m : List.of(new ReLU(), new GELU(), new Sigmoid(), new Tanh(), new SiLU(), new Flatten(),
                new MaxPool2d(2), new AvgPool2d(2), new AdaptiveAvgPool2d(1), new Dropout())) {
            assertEquals(List.of(), keys(m), m.toString());
        }
    }

    @Test
    void initialisationFollowsPyTorchDistributions() {
        Linear fc = new Linear(784, 256, true, new Generator(1));
        double bound = 1 / Math.sqrt(784);
        checkUniform(fc.weight().storage().floats(), bound);
        checkUniform(fc.bias().storage().floats(), bound);

        Conv2d conv = Conv2d.builder(6, 16, 5).generator(new Generator(2)).build();
        checkUniform(conv.weight().storage().floats(), 1 / Math.sqrt(6 * 25));
        checkUniform(conv.bias().storage().floats(), 1 / Math.sqrt(6 * 25));

        float[] e = new Embedding(100, 100, null, new Generator(3)).weight().storage().floats();
        double mean = 0;
        double sq = 0;
        for (float v : e) {
            mean += v;
            sq += (double) v * v;
        }
        mean /= e.length;
        double var = sq / e.length - mean * mean;
        assertEquals(0, mean, 0.05);
        assertEquals(1, var, 0.05);

        BatchNorm2d bn = new BatchNorm2d(3);
        assertArrayEquals(new float[] {1, 1, 1}, bn.stateDict().get("weight").storage().floats());
        assertArrayEquals(new float[] {0, 0, 0}, bn.stateDict().get("bias").storage().floats());
        assertArrayEquals(new float[] {0, 0, 0}, bn.stateDict().get("running_mean").storage().floats());
        assertArrayEquals(new float[] {1, 1, 1}, bn.stateDict().get("running_var").storage().floats());
        LayerNorm ln = new LayerNorm(2);
        assertArrayEquals(new float[] {1, 1}, ln.stateDict().get("weight").storage().floats());
        assertArrayEquals(new float[] {0, 0}, ln.stateDict().get("bias").storage().floats());
    }

    /** Every value within ±bound, and mean and variance of U(-b, b) (0 and b²/3) within sampling error. */
    private static void checkUniform(float[] v, double bound) {
        double mean = 0;
        double sq = 0;
        for (float x : v) {
            assertTrue(Math.abs(x) <= bound, x + " outside ±" + bound);
            mean += x;
            sq += (double) x * x;
        }
        mean /= v.length;
        double var = sq / v.length - mean * mean;
        double expectedVar = bound * bound / 3;
        double tolerance = 5 * expectedVar / Math.sqrt(v.length) + 1e-12; // ~5 standard errors
        assertEquals(0, mean, 5 * Math.sqrt(expectedVar / v.length));
        assertEquals(expectedVar, var, tolerance * 2);
    }

    @Test
    void aSeedFixesTheValues() {
        float[] a = new Linear(5, 5, true, new Generator(42)).weight().storage().floats();
        float[] b = new Linear(5, 5, true, new Generator(42)).weight().storage().floats();
        float[] c = new Linear(5, 5, true, new Generator(43)).weight().storage().floats();
        assertArrayEquals(a, b);
        assertTrue(!java.util.Arrays.equals(a, c));
    }

    @Test
    void embeddingPaddingRowIsZero() {
        Embedding e = new Embedding(4, 3, -1, new Generator(5));
        assertEquals(3, e.paddingIdx());
        float[] w = e.weight().storage().floats();
        for (int j = 0; j < 3; j++) {
            assertEquals(0f, w[9 + j]);
            assertTrue(w[j] != 0f);
        }
        assertThrows(KilnException.class, () -> new Embedding(4, 3, 4));
    }

    @Test
    void constructorsRejectBadArguments() {
        KilnException e = assertThrows(KilnException.class, () -> Conv2d.builder(3, 8, 3).groups(2).build());
        assertTrue(e.getMessage().contains("in_channels") && e.getMessage().contains("found 3"), e.getMessage());
        e = assertThrows(KilnException.class, () -> Conv2d.builder(4, 8, 0).build());
        assertTrue(e.getMessage().contains("'kernel_size'") && e.getMessage().contains("[0, 0]"), e.getMessage());
        e = assertThrows(KilnException.class, () -> new Dropout(1.5));
        assertTrue(e.getMessage().contains("found 1.5"), e.getMessage());
        e = assertThrows(KilnException.class, () -> new GELU("fast"));
        assertTrue(e.getMessage().contains("'none' or 'tanh', found 'fast'"), e.getMessage());
        e = assertThrows(KilnException.class, () -> new MaxPool2d(new int[] {2}, null, new int[] {0, 0},
                new int[] {1, 1}, false));
        assertTrue(e.getMessage().startsWith("MaxPool2d: expected 'kernel_size'"), e.getMessage());
    }

    @Test
    void reprsReadLikePyTorch() {
        assertEquals("Linear(in_features=784, out_features=256, bias=True)", new Linear(784, 256).toString());
        assertEquals("Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))",
                new Conv2d(1, 6, 5, 1, 2).toString());
        assertEquals("Conv2d(32, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)",
                Conv2d.builder(32, 32, 3).padding(1).bias(false).build().toString());
        assertEquals("BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
                new BatchNorm2d(6).toString());
        assertEquals("LayerNorm((64,), eps=1e-05, elementwise_affine=True)", new LayerNorm(64).toString());
        assertEquals("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
                new MaxPool2d(2).toString());
        assertEquals("Dropout(p=0.5, inplace=False)", new Dropout().toString());
        assertEquals("GELU(approximate='none')", new GELU().toString());
        assertEquals("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n"
                + "  (2): Sequential(\n    (0): Tanh()\n  )\n)",
                new Sequential(new Linear(2, 3), new ReLU(), new Sequential(new Tanh())).toString());
        assertEquals("1e-05", Repr.pyFloat(1e-5));
        assertEquals("0.0001", Repr.pyFloat(1e-4));
        assertEquals("1e+16", Repr.pyFloat(1e16));
        assertEquals("-2.5", Repr.pyFloat(-2.5));
        assertEquals("100.0", Repr.pyFloat(100));
    }
}
