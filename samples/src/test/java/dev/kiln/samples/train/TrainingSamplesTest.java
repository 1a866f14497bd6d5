package dev.kiln.samples.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The training samples converge (fixed seeds, so the numbers are reproducible). */
class TrainingSamplesTest {
    @Test
    void linearRegressionFindsTheLine() {
        LinearRegression.Result r = LinearRegression.train(100, 0.1, step -> false);
        assertEquals(2.0, r.w(), 0.1, "w");
        assertEquals(0.0, r.b(), 0.2, "b");
        assertTrue(r.loss() < 5e-3, "final loss " + r.loss());
    }

    @Test
    void linearRegressionKeepsConvergingWithMoreSteps() {
        LinearRegression.Result r = LinearRegression.train(1000, 0.1, step -> false);
        assertEquals(2.0, r.w(), 1e-4, "w");
        assertEquals(0.0, r.b(), 1e-4, "b");
    }

    @Test
    void mlpClassifierExceeds95PercentAccuracy() {
        MlpClassifier.Result r = MlpClassifier.train(400, 300, 0.01, 42, false);
        assertTrue(r.accuracy() > 0.95, "accuracy " + r.accuracy() + ", loss " + r.loss());
    }
}
