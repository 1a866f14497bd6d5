package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conformance case traced at {@code input0}, saved as an archive, loaded by a fresh {@link KilnRuntime#load}
 * (which sees only the file) and run on both inputs: the outputs match PyTorch's within the case's tolerances.
 * {@code control_flow}'s {@code input1} takes the other branch and must fail with the guard error. The archives
 * are kept in {@code target/conformance-archives/} (for the jar test and the cold-start measurement).
 */
class ArchiveConformanceTest {
    static final Path ARCHIVES = Path.of("target/conformance-archives");

    static Stream<String> cases() {
        return ConformanceCase.caseDirs(ConformanceCase.defaultSuite()).stream().map(p -> p.getFileName().toString());
    }

    /** Traces the case with its PyTorch weights and saves it under {@link #ARCHIVES}; returns the file. */
    static Path saveCase(String name) throws Exception {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        CaseJson meta = CaseJson.read(dir);
        CaseArchives.Traced traced = CaseArchives.trace(name, ConformanceCase.byName(name).load(dir), meta,
                ConformanceCase.inputs(dir, 0).toArray(Tensor[]::new));
        Files.createDirectories(ARCHIVES);
        Path file = ARCHIVES.resolve(name + ".kiln");
        CaseArchives.save(traced, file);
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void savedLoadedAndRunMatchesPyTorchOnBothInputs(String name) throws Exception {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        CaseJson meta = CaseJson.read(dir);
        LoadedModel model = KilnRuntime.load(saveCase(name));
        assertEquals(meta.inputNames(), model.inputNames(), name + ": input names from case.json");
        assertEquals(meta.outputNames(), model.outputNames(), name + ": output names from case.json");
        assertEquals(ConformanceCase.byName(name).create().getClass().getName(), model.metadata().modelClass());

        expectMatch(name, model, 0);
        if (name.equals("control_flow")) {
            Tensor[] in1 = ConformanceCase.inputs(dir, 1).toArray(Tensor[]::new);
            GuardFailedException e = assertThrows(GuardFailedException.class, () -> model.forward(in1));
            assertTrue(e.getMessage().contains("guard failed at ConditionalModel.java:"), e.getMessage());
        } else {
            expectMatch(name, model, 1);
        }
    }

    /** Runs example {@code index} by name ({@code run(Map)}) and compares each named output with PyTorch's. */
    static void expectMatch(String name, LoadedModel model, int index) {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        CaseJson meta = CaseJson.read(dir);
        List<Tensor> inputs = ConformanceCase.inputs(dir, index);
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) byName.put(model.inputNames().get(i), inputs.get(i));
        Map<String, Tensor> actual = model.run(byName);
        List<Tensor> expected = ConformanceCase.expectedOutputs(dir, index);
        assertEquals(expected.size(), actual.size(), name + ": number of outputs");
        for (int o = 0; o < expected.size(); o++) {
            Tensor got = actual.get(model.outputNames().get(o));
            Comparison c = Comparison.of(got, expected.get(o), meta.rtol(), meta.atol());
            assertTrue(c.withinTolerance(), name + " loaded, input" + index + " output " + o + ": " + c.problem());
        }
    }

    @Test
    void withoutCaseJsonNamesDefaultToInputNAndOutputN() {
        Path dir = ConformanceCase.defaultSuite().resolve("embedding_lstm_like");
        CaseArchives.Traced t = CaseArchives.trace("embedding_lstm_like",
                ConformanceCase.EMBEDDING_LSTM_LIKE.load(dir), null, ConformanceCase.inputs(dir, 0).get(0));
        assertEquals(List.of("input0"), t.inputNames());
        assertEquals(List.of("output0", "output1"), t.outputNames());
    }
}
