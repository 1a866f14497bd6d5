package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadOptions;
import dev.kiln.runtime.LoadedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conformance case traced at {@code input0}, saved as an archive for every backend ({@code jvm}: optimised
 * graph and generated class; {@code ptx}: PTX kernels too; {@code interp}: traced graph only), loaded by a fresh
 * {@link KilnRuntime#load} (which sees only the file) and run on both inputs: the outputs match PyTorch's within the
 * case's tolerances and the interpreter's (the same archive loaded with {@code --backend interp}) within 1e-5; a
 * {@code jvm} or {@code ptx} archive runs its embedded class after the allow-list scan. {@code control_flow}'s
 * {@code input1} takes the other branch and must fail with the guard error. The {@code jvm} archives (the default)
 * are kept in {@code target/conformance-archives/}, the others in its {@code interp/} and {@code ptx/} folders (for
 * the jar test and the cold-start measurement).
 */
class ArchiveConformanceTest {
    static final Path ARCHIVES = Path.of("target/conformance-archives");

    static Stream<String> cases() {
        return ConformanceCase.caseDirs(ConformanceCase.defaultSuite()).stream().map(p -> p.getFileName().toString());
    }

    static Stream<Arguments> casesAndBackends() {
        return cases().flatMap(c -> Stream.of("jvm", "ptx", "interp").map(b -> Arguments.of(c, b)));
    }

    /** Traces the case and saves it for the default backend ({@code jvm}) under {@link #ARCHIVES}. */
    static Path saveCase(String name) throws Exception { return saveCase(name, CaseArchives.DEFAULT_BACKEND); }

    /** Traces the case with its PyTorch weights and saves it for {@code backend}; returns the file. */
    static Path saveCase(String name, String backend) throws Exception {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        CaseJson meta = CaseJson.read(dir);
        CaseArchives.Traced traced = CaseArchives.trace(name, ConformanceCase.byName(name).load(dir), meta,
                ConformanceCase.inputs(dir, 0).toArray(Tensor[]::new));
        Path folder = backend.equals(CaseArchives.DEFAULT_BACKEND) ? ARCHIVES : ARCHIVES.resolve(backend);
        Files.createDirectories(folder);
        Path file = folder.resolve(name + ".kiln");
        CaseArchives.save(traced, file, backend);
        return file;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndBackends")
    void savedLoadedAndRunMatchesPyTorchAndTheInterpreterOnBothInputs(String name, String backend) throws Exception {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        CaseJson meta = CaseJson.read(dir);
        Path file = saveCase(name, backend);
        LoadedModel model = KilnRuntime.load(file);
        assertEquals(backend, model.backend());
        if (!backend.equals("interp")) {
            // Every case has a class (control_flow's trace holds a guard, not a cond): verified, then loaded.
            assertTrue(model.codeNotes().stream().anyMatch(n -> n.contains(".class: SHA-256 checked, allow-list scan "
                    + "passed, loaded")), model.codeNotes().toString());
        }
        LoadedModel interp = KilnRuntime.load(file, LoadOptions.defaults().withBackend("interp"));
        assertEquals(meta.inputNames(), model.inputNames(), name + ": input names from case.json");
        assertEquals(meta.outputNames(), model.outputNames(), name + ": output names from case.json");
        assertEquals(ConformanceCase.byName(name).create().getClass().getName(), model.metadata().modelClass());

        expectMatch(name, model, 0);
        expectSame(name, model, interp, 0);
        if (name.equals("control_flow")) {
            Tensor[] in1 = ConformanceCase.inputs(dir, 1).toArray(Tensor[]::new);
            GuardFailedException e = assertThrows(GuardFailedException.class, () -> model.forward(in1));
            assertTrue(e.getMessage().contains("guard failed at ConditionalModel.java:"), e.getMessage());
        } else {
            expectMatch(name, model, 1);
            expectSame(name, model, interp, 1);
        }
    }

    /** The model's outputs on example {@code index} equal the interpreter's within 1e-5 (absolute and relative). */
    static void expectSame(String name, LoadedModel model, LoadedModel interp, int index) {
        Tensor[] in = ConformanceCase.inputs(ConformanceCase.defaultSuite().resolve(name), index).toArray(Tensor[]::new);
        List<Tensor> got = model.forward(in);
        List<Tensor> want = interp.forward(in);
        for (int o = 0; o < want.size(); o++) {
            Comparison c = Comparison.of(got.get(o), want.get(o), 1e-5, 1e-5);
            assertTrue(c.withinTolerance(), name + " " + model.backend() + " vs interpreter, input" + index + " output "
                    + o + ": " + c.problem());
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
