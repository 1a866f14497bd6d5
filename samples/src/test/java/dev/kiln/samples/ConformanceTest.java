package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kiln's eager mode against real PyTorch 1.13: for every conformance case and both example inputs, the Java model
 * with PyTorch's weights gives PyTorch's outputs within the case's tolerances.
 */
class ConformanceTest {
    static Stream<Arguments> cases() {
        Path suite = ConformanceCase.defaultSuite();
        assertTrue(Files.isDirectory(suite), "conformance suite not found at " + suite);
        List<Arguments> out = new ArrayList<>();
        for (Path dir : ConformanceCase.caseDirs(suite)) {
            for (int k = 0; k < 2; k++) out.add(Arguments.of(dir.getFileName().toString(), k));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} input{1}")
    @MethodSource("cases")
    void eagerMatchesPyTorch(String name, int index) {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        CaseJson meta = CaseJson.read(dir);
        Module model = ConformanceCase.byName(name).load(dir);
        List<Tensor> inputs = ConformanceCase.inputs(dir, index);
        List<Tensor> expected = ConformanceCase.expectedOutputs(dir, index);
        assertFalse(inputs.isEmpty(), name + ": no inputs for example " + index);
        assertFalse(expected.isEmpty(), name + ": no expected outputs for example " + index);

        List<Tensor> actual = ConformanceCase.run(model, inputs);

        assertEquals(expected.size(), actual.size(), name + ": number of outputs");
        for (int o = 0; o < expected.size(); o++) {
            Comparison c = Comparison.of(actual.get(o), expected.get(o), meta.rtol(), meta.atol());
            assertTrue(c.withinTolerance(), name + " input" + index + " output " + o + ": " + c.problem());
        }
    }
}
