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
        for (String backend : ClassDataTraining.BACKENDS) {
            Tensor conv = output(dir, "conv", backend);
            Tensor attn = output(dir, "attention", backend);
            assertEquals("[2, 3]", java.util.Arrays.toString(conv.shape()), backend);
            assertEquals("[2, 4, 8]", java.util.Arrays.toString(attn.shape()), backend);
            for (Tensor t : new Tensor[] {conv, attn}) {
                for (float v : floats(t)) assertTrue(Float.isFinite(v), backend + " output " + v);
            }
            // log_softmax rows: the probabilities sum to 1
            float[] c = floats(conv);
            for (int row = 0; row < 2; row++) {
                double sum = 0;
                for (int k = 0; k < 3; k++) sum += Math.exp(c[row * 3 + k]);
                assertEquals(1.0, sum, 1e-5, backend);
            }
        }
        // The jvm archives' generated classes compute what the reference interpreter computes.
        for (String name : new String[] {"conv", "attention"}) {
            float[] ref = floats(output(dir, name, "interp"));
            float[] jvm = floats(output(dir, name, "jvm"));
            assertEquals(ref.length, jvm.length, name);
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], jvm[i], 1e-5 + 1e-4 * Math.abs(ref[i]), name + " element " + i);
            }
        }
    }

    private static Tensor output(Path dir, String name, String backend) throws java.io.IOException {
        return Npy.read(dir.resolve(name + "-" + backend + "_out").resolve("output0.npy"));
    }

    private static float[] floats(Tensor t) { return (float[]) t.contiguous().storage().array(); }
}
