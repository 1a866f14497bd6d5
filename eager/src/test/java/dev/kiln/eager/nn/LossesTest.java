package dev.kiln.eager.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import org.junit.jupiter.api.Test;

/** Loss values against float64 references written out in plain Java (gradients: GradientCheckTest). */
class LossesTest {
    private static final double[] X = {0.2, -1.0, 2.5, 0.0, 1.5, -0.5};

    @Test
    void mse() {
        double[] t = {0, 1, 2, 3, -1, 0.5};
        double sum = 0;
        double[] each = new double[6];
        for (int i = 0; i < 6; i++) sum += each[i] = (X[i] - t[i]) * (X[i] - t[i]);
        Tensor x = Tensor.of(X, 2, 3);
        Tensor y = Tensor.of(t, 2, 3);
        assertEquals(sum / 6, new MSELoss().forward(x, y).item(), 1e-12);
        assertEquals(sum, Losses.mseLoss(x, y, Reduction.SUM).item(), 1e-12);
        assertArrayEquals(each, Losses.mseLoss(x, y, Reduction.NONE).toDoubleArray(), 1e-12);
    }

    @Test
    void crossEntropyWithWeightsAndIgnoredTargets() {
        long[] target = {2, -100};
        double[] w = {1.0, 2.0, 0.5};
        // Only row 0 counts: -w[2] * log_softmax(row0)[2] / w[2].
        double lse = Math.log(Math.exp(0.2) + Math.exp(-1.0) + Math.exp(2.5));
        double expected = (2.5 - lse) * -1;
        Tensor x = Tensor.of(X, 2, 3);
        Tensor loss = new CrossEntropyLoss(Tensor.of(w), -100, Reduction.MEAN).forward(x, Tensor.ofLongs(target));
        assertEquals(expected, loss.item(), 1e-12);
        Tensor none = Losses.crossEntropy(x, Tensor.ofLongs(new long[] {0, 1}), null, -100, Reduction.NONE);
        double lse1 = Math.log(Math.exp(0.0) + Math.exp(1.5) + Math.exp(-0.5));
        assertArrayEquals(new double[] {lse - 0.2, lse1 - 1.5}, none.toDoubleArray(), 1e-12);
        Tensor unbatched = new CrossEntropyLoss().forward(Tensor.of(new double[] {0.2, -1.0, 2.5}), Tensor.scalarOf(1L));
        assertEquals(lse + 1.0, unbatched.item(), 1e-12);
    }

    @Test
    void crossEntropyChecksTargets() {
        Tensor x = Tensor.of(X, 2, 3);
        KilnException range = assertThrows(KilnException.class,
                () -> new CrossEntropyLoss().forward(x, Tensor.ofLongs(new long[] {0, 3})));
        assertTrue(range.getMessage().contains("cross_entropy") && range.getMessage().contains("'target'")
                && range.getMessage().contains("[0, 3)") && range.getMessage().contains("found 3"), range.getMessage());
        KilnException shape = assertThrows(KilnException.class,
                () -> new CrossEntropyLoss().forward(x, Tensor.ofLongs(new long[] {0, 1, 2})));
        assertTrue(shape.getMessage().contains("expected shape [2]") && shape.getMessage().contains("[3]"));
        KilnException dtype = assertThrows(KilnException.class,
                () -> new CrossEntropyLoss().forward(x, Tensor.of(new double[] {0, 1})));
        assertTrue(dtype.getMessage().contains("class indices") && dtype.getMessage().contains("float64"));
    }

    @Test
    void bceWithLogitsIsStableForLargeLogits() {
        double[] x = {-100, -3, 0, 3, 100, 40};
        double[] t = {1, 0, 1, 0.5, 0, 1};
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            // -[t log σ(x) + (1-t) log(1-σ(x))] with log σ(x) = -log1p(e^-x), computed where it does not overflow.
            double logSig = x[i] >= 0 ? -Math.log1p(Math.exp(-x[i])) : x[i] - Math.log1p(Math.exp(x[i]));
            double logOneMinus = logSig - x[i];
            expected[i] = -(t[i] * logSig + (1 - t[i]) * logOneMinus);
        }
        Tensor loss = Losses.binaryCrossEntropyWithLogits(Tensor.of(x), Tensor.of(t), null, null, Reduction.NONE);
        assertArrayEquals(expected, loss.toDoubleArray(), 1e-9);
        double mean = 0;
        for (double e : expected) mean += e / x.length;
        assertEquals(mean, new BCEWithLogitsLoss().forward(Tensor.of(x), Tensor.of(t)).item(), 1e-9);
        Tensor f32 = Losses.binaryCrossEntropyWithLogits(Tensor.of(new float[] {-100, 100}),
                Tensor.of(new float[] {1, 0}), null, null, Reduction.SUM);
        assertEquals(200, f32.item(), 1e-3);
    }

    @Test
    void bceWithLogitsPosWeight() {
        double x = 0.7, t = 0.3, pw = 2.5;
        double sig = 1 / (1 + Math.exp(-x));
        double expected = -(pw * t * Math.log(sig) + (1 - t) * Math.log(1 - sig));
        Tensor loss = new BCEWithLogitsLoss(null, Tensor.of(new double[] {pw}), Reduction.SUM)
                .forward(Tensor.of(new double[] {x}), Tensor.of(new double[] {t}));
        assertEquals(expected, loss.item(), 1e-12);
    }
}
