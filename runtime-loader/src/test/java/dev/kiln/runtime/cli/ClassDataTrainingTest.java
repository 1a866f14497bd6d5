package dev.kiln.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data training run ({@link ClassDataTraining}) that {@code mvn package} runs to make
 * {@code kiln-runtime.jsa}: its graphs still parse, export, load and run through the CLI (a failure here would
 * otherwise first show as a failed package), with finite outputs of the declared shapes.
 */
class ClassDataTrainingTest {
    @TempDir
    Path dir;

    @Test
    void trainingCommandsSucceedWithFiniteOutputs() throws Exception {
        assertEquals(ExitStatus.OK, ClassDataTraining.train(dir));
        Tensor conv = Npy.read(dir.resolve("conv_out").resolve("output0.npy"));
        Tensor attn = Npy.read(dir.resolve("attention_out").resolve("output0.npy"));
        assertEquals("[2, 3]", java.util.Arrays.toString(conv.shape()));
        assertEquals("[2, 4, 8]", java.util.Arrays.toString(attn.shape()));
        for (Tensor t : new Tensor[] {conv, attn}) {
            for (float v : (float[]) t.contiguous().storage().array()) assertTrue(Float.isFinite(v), "output " + v);
        }
        // log_softmax rows: the probabilities sum to 1
        float[] c = (float[]) conv.contiguous().storage().array();
        for (int row = 0; row < 2; row++) {
            double sum = 0;
            for (int k = 0; k < 3; k++) sum += Math.exp(c[row * 3 + k]);
            assertEquals(1.0, sum, 1e-5);
        }
    }
}
