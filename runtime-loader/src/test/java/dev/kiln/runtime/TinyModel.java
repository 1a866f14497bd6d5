package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrParser;
import dev.kiln.serialization.ArchiveMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small two-input, two-output model for runtime tests, with an independent float64 reference:
 * {@code h = x·Wᵀ + b}, {@code y = relu(h) * s[:, None]}; outputs {@code (y, h)}. Inputs {@code x : f32[B, 3]},
 * {@code s : f32[B]}.
 */
public final class TinyModel {
    public static final String IR = """
            graph(%x : f32[B, 3], %s : f32[B]):
              %fc.weight : f32[2, 3] = param["fc.weight"]
              %fc.bias : f32[2] = param["fc.bias"]
              %h : f32[B, 2] = aten::linear(%x, %fc.weight, %fc.bias)   # fc @ Tiny.java:10
              %1 : f32[B, 2] = aten::relu(%h)
              %2 : f32[B, 1] = aten::unsqueeze(%s, dim=1)
              %y : f32[B, 2] = aten::mul(%1, %2)
              return (%y, %h)
            """;
    public static final float[] W = {0.5f, -1.0f, 2.0f, -0.25f, 0.75f, 1.5f};
    public static final float[] BIAS = {0.1f, -0.2f};

    private TinyModel() {}

    public static Graph graph() { return IrParser.parse(IR); }

    public static Map<String, Tensor> parameters() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("fc.weight", Tensor.of(W, 2, 3));
        p.put("fc.bias", Tensor.of(BIAS, 2));
        return p;
    }

    /** Saves the model as {@code file} with input names x, s and output names y, h. */
    public static Path save(Path file) throws IOException {
        ArchiveExporter.save(graph(), parameters(), List.of("x", "s"), List.of("y", "h"),
                ArchiveMetadata.of("test.TinyModel"), file);
        return file;
    }

    /** Saves the model as {@code file} for {@code backend} (interp, jvm, ptx: with the generated code). */
    public static Path save(Path file, String backend) throws IOException {
        ArchiveExporter.save(graph(), parameters(), List.of("x", "s"), List.of("y", "h"),
                ArchiveMetadata.of("test.TinyModel").withCompileOptions(Map.of("backend", backend)), file);
        return file;
    }

    /** {@code {y, h}} in float64 by plain loops. */
    public static double[][] reference(float[] x, float[] s) {
        int batch = s.length;
        double[] y = new double[batch * 2];
        double[] h = new double[batch * 2];
        for (int i = 0; i < batch; i++) {
            for (int o = 0; o < 2; o++) {
                double acc = BIAS[o];
                for (int k = 0; k < 3; k++) acc += (double) x[i * 3 + k] * W[o * 3 + k];
                h[i * 2 + o] = acc;
                y[i * 2 + o] = Math.max(acc, 0) * s[i];
            }
        }
        return new double[][] {y, h};
    }

    /** Deterministic input data of {@code n} elements. */
    public static float[] data(int n, double phase) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) Math.sin(i * 0.7 + phase) * 2;
        return out;
    }
}
