package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Json;
import dev.kiln.eager.io.Npy;
import dev.kiln.eager.nn.Module;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kiln's autograd against PyTorch 1.13's: for every conformance case with a {@code grads/} folder, the gradients of
 * {@code sum_k sum(output_k(input0) * cotangent_k)} with respect to every parameter and every float input match
 * PyTorch's within the case's gradient tolerances ({@code case.json["grads"]["tolerances"]}).
 */
class GradConformanceTest {
    static Stream<String> cases() {
        Path suite = ConformanceCase.defaultSuite();
        assertTrue(Files.isDirectory(suite), "conformance suite not found at " + suite);
        return ConformanceCase.caseDirs(suite).stream().filter(d -> Files.isDirectory(d.resolve("grads")))
                .map(d -> d.getFileName().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void gradientsMatchPyTorch(String name) throws IOException {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("case.json")));
        Map<String, Object> grads = (Map<String, Object>) root.get("grads");
        Map<String, Object> files = (Map<String, Object>) grads.get("files");
        Map<String, Object> tol = (Map<String, Object>) grads.get("tolerances");
        double rtol = ((Number) tol.get("rtol")).doubleValue();
        double atol = ((Number) tol.get("atol")).doubleValue();
        Path gradDir = dir.resolve(grads.get("dir").toString());

        Module model = ConformanceCase.byName(name).load(dir);
        List<Tensor> inputs = ConformanceCase.inputs(dir, 0);
        for (Tensor x : inputs) if (x.dtype().isFloatingPoint()) x.requiresGrad(true);
        List<Tensor> outputs = ConformanceCase.run(model, inputs);

        // loss = Σ_k sum(output_k * R_k), the cotangents named after the outputs in output order.
        Tensor loss = null;
        List<String> outputNames = names(root, "outputs");
        for (int k = 0; k < outputs.size(); k++) {
            Path cot = gradDir.resolve("cotangent0_" + outputNames.get(k) + ".npy");
            if (!Files.exists(cot)) continue; // not a float output
            Tensor term = outputs.get(k).mul(Npy.read(cot)).sum();
            loss = loss == null ? term : loss.add(term);
        }
        assertNotNull(loss, name + ": no cotangents");
        loss.backward();

        List<String> problems = new ArrayList<>();
        Map<String, Tensor> params = model.namedParameters();
        List<String> paramFiles = (List<String>) files.get("parameters");
        assertEquals(params.size(), paramFiles.size(), name + ": PyTorch's parameter gradients vs the model's parameters");
        for (String f : paramFiles) {
            String key = f.substring(0, f.length() - ".npy".length());
            Tensor p = params.get(key);
            assertNotNull(p, name + ": the model has no parameter " + key);
            compare(name + " d/d " + key, p.grad(), read(gradDir.resolve(f)), rtol, atol, problems);
        }
        List<String> inputNames = names(root, "inputs");
        for (String f : (List<String>) files.get("inputs")) {
            String inputName = f.substring("input0_".length(), f.length() - ".npy".length());
            Tensor x = inputs.get(inputNames.indexOf(inputName));
            compare(name + " d/d input " + inputName, x.grad(), read(gradDir.resolve(f)), rtol, atol, problems);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static void compare(String what, Tensor actual, Tensor expected, double rtol, double atol,
                                List<String> problems) {
        if (actual == null) {
            problems.add(what + ": no gradient");
            return;
        }
        Comparison c = Comparison.of(actual, expected, rtol, atol);
        if (!c.withinTolerance()) problems.add(what + ": " + c.problem());
    }

    @SuppressWarnings("unchecked")
    private static List<String> names(Map<String, Object> root, String key) {
        List<String> out = new ArrayList<>();
        for (Object e : (List<Object>) root.get(key)) out.add((String) ((Map<String, Object>) e).get("name"));
        assertFalse(out.isEmpty(), "case.json lists no " + key);
        return out;
    }

    private static Tensor read(Path file) {
        try {
            return Npy.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
