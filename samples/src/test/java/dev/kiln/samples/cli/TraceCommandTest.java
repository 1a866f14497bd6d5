package dev.kiln.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.samples.Comparison;
import dev.kiln.samples.ConformanceCase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kiln trace}: names from case.json, examples, and its usage errors. */
class TraceCommandTest {
    @TempDir
    Path dir;

    record Result(int status, String out, String err) {}

    static Result trace(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TraceCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path caseDir(String name) { return ConformanceCase.defaultSuite().resolve(name); }

    @Test
    void tracesMlpWithCaseJsonNamesAtTheGivenExample() throws Exception {
        Path file = dir.resolve("mlp.kiln");
        Path example = caseDir("mlp").resolve("input1_x.npy");
        Result r = trace("mlp", "--weights", caseDir("mlp").resolve("weights").toString(), "--example",
                example.toString(), "--out", file.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("signature: (x : f32[B, 784]) -> (logits : f32[B, 10])"), r.out());
        assertTrue(r.out().contains("at f32[3, 784]"), r.out());
        LoadedModel m = KilnRuntime.load(file);
        assertEquals(List.of("x"), m.inputNames());
        assertEquals(List.of("logits"), m.outputNames());
        assertEquals("mlp", m.metadata().traceOptions().get("case"));
        Tensor got = m.forward(Npy.read(caseDir("mlp").resolve("input0_x.npy"))).get(0);
        assertTrue(Comparison.of(got, Npy.read(caseDir("mlp").resolve("output0_logits.npy")), 1e-4, 1e-5)
                .withinTolerance());
    }

    @Test
    void withoutExampleARandomInputOfTheCasesFirstShapeIsTraced() throws Exception {
        Path file = dir.resolve("mynet.kiln");
        Result r = trace("mynet", "--weights", caseDir("mynet").toString(), "--out", file.toString(), "--backend",
                "interp");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("at f32[1, 1, 28, 28]"), r.out());
        assertEquals("x : f32[B, 1, 28, 28]", KilnRuntime.load(file).signature().inputs().get(0).toString());
    }

    @Test
    void jvmIsTheDefaultAndPtxArchivesCarryKernels() throws Exception {
        Path jvm = dir.resolve("jvm.kiln");
        Result r = trace("mlp", "--weights", caseDir("mlp").toString(), "--out", jvm.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("backend jvm"), r.out());
        var a = dev.kiln.serialization.ArchiveReader.read(jvm);
        var cls = a.compiledCode("jvm").orElseThrow().artifacts().get(0);
        assertEquals(cls.scalarClass() == null ? List.of(cls.name()) : List.of(cls.name(), cls.scalarClass()),
                a.classNames(), "the generated class (and, when it has vector loops, its scalar twin)");

        Path ptx = dir.resolve("ptx.kiln");
        r = trace("mlp", "--weights", caseDir("mlp").toString(), "--out", ptx.toString(), "--backend", "ptx");
        assertEquals(0, r.status(), r.err());
        a = dev.kiln.serialization.ArchiveReader.read(ptx);
        assertFalse(a.ptx().isEmpty(), "PTX kernels");
        assertEquals("ptx", KilnRuntime.load(ptx).backend());
    }

    @Test
    void anUnknownBackendIsAUsageError() {
        Path file = dir.resolve("tpu.kiln");
        Result r = trace("mlp", "--weights", caseDir("mlp").toString(), "--out", file.toString(), "--backend", "tpu");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("kiln trace: unknown backend 'tpu' (this runtime has: interp, jvm, ptx)"), r.err());
        assertFalse(Files.exists(file));
    }

    @Test
    void otherUsageErrors() throws Exception {
        Path out = dir.resolve("x.kiln");
        Result unknown = trace("alexnet", "--weights", dir.toString(), "--out", out.toString());
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown conformance case 'alexnet'"), unknown.err());
        assertEquals(2, trace("mlp", "--out", out.toString()).status());
        assertEquals(2, trace("mlp", "--weights", caseDir("mlp").toString()).status());
        assertEquals(2, trace("mlp", "--weights", dir.resolve("none").toString(), "--out", out.toString()).status());
        Path bad = dir.resolve("bad.npy");
        Files.writeString(bad, "junk");
        Result malformed = trace("mlp", "--weights", caseDir("mlp").toString(), "--example", bad.toString(), "--out",
                out.toString());
        assertEquals(4, malformed.status(), malformed.err());
        assertTrue(malformed.err().contains("not a .npy file"), malformed.err());
        assertFalse(Files.exists(out));
    }
}
