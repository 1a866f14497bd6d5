package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.codegen.jvm.CompiledModule;
import dev.kiln.codegen.jvm.GeneratedCodeRejectedException;
import dev.kiln.codegen.jvm.GeneratedCodeVerifier;
import dev.kiln.codegen.jvm.JvmCompiler;
import dev.kiln.eager.Tensor;
import dev.kiln.runtime.cli.Rezip;
import dev.kiln.serialization.ArchiveReader;
import dev.kiln.serialization.CompiledCode;
import dev.kiln.serialization.KilnArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Archives that carry generated code ({@link TinyModel} exported for {@code jvm} and {@code ptx}): save → load → run
 * equals the float64 reference and the interpreter; the embedded class is verified and used, regenerated on request
 * or for another ABI version; a JVM without the Vector API runs the stored scalar twin; a class replaced by a hostile one (checksum fixed up) is rejected by the verifier;
 * concurrent calls agree; a format 1.0 archive (written by the previous Kiln, a test resource) still loads and runs.
 */
class CompiledArchiveTest {
    @TempDir
    Path dir;

    static Path save(Path file, String backend) throws Exception { return TinyModel.save(file, backend); }

    /** Both outputs for batch {@code b} against the float64 reference (1e-5). */
    static void matchesReference(LoadedModel m, int b) {
        float[] x = TinyModel.data(b * 3, 0.3 * b);
        float[] s = TinyModel.data(b, 1.7);
        List<Tensor> out = m.forward(Tensor.of(x, b, 3), Tensor.of(s, b));
        double[][] ref = TinyModel.reference(x, s);
        for (int o = 0; o < 2; o++) {
            float[] got = out.get(o).contiguous().toFloatArray();
            assertEquals(ref[o].length, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(ref[o][i], got[i], 1e-5 * Math.max(1, Math.abs(ref[o][i])), m.backend() + " b=" + b
                        + " output " + o + "[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jvm", "ptx"})
    void compiledArchivesRunTheirVerifiedClassAndMatchTheReference(String backend) throws Exception {
        Path file = save(dir.resolve(backend + ".kiln"), backend);
        KilnArchive a = ArchiveReader.read(file);
        CompiledCode jvm = a.compiledCode("jvm").orElseThrow();
        assertEquals(1, jvm.artifacts().size(), "one generated class");
        assertEquals(backend.equals("ptx"), a.compiledCode("ptx").isPresent(), "ptx archives carry PTX too");
        if (backend.equals("ptx")) {
            CompiledCode ptx = a.compiledCode("ptx").orElseThrow();
            assertTrue(!ptx.artifacts().isEmpty(), "at least one kernel");
            for (CompiledCode.Artifact k : ptx.artifacts()) {
                assertTrue(a.ptx().get(k.name()).contains(".entry " + k.name() + "("), k.name());
            }
        }

        LoadedModel m = KilnRuntime.load(file);
        assertEquals(backend, m.backend());
        assertTrue(m.codeNotes().stream().anyMatch(n -> n.contains(jvm.artifacts().get(0).entry()
                + ": SHA-256 checked, allow-list scan passed, loaded")), m.codeNotes().toString());
        LoadedModel interp = KilnRuntime.load(file, LoadOptions.defaults().withBackend("interp"));
        for (int b : new int[] {1, 2, 5}) {
            matchesReference(m, b);
            matchesReference(interp, b);
        }
    }

    @Test
    void regeneratedOnRequestAndForAnotherAbiVersion() throws Exception {
        Path file = save(dir.resolve("m.kiln"), "jvm");
        LoadedModel asked = KilnRuntime.load(file, LoadOptions.defaults().withRegenerateCode(true));
        assertTrue(asked.codeNotes().get(0).contains("class regenerated from the archive's optimised graph as "
                + "requested (--regenerate-code)"), asked.codeNotes().toString());
        matchesReference(asked, 3);

        Rezip.editModel(file, m -> {
            return m.setCompiledCode(0, m.getCompiledCode(0).toBuilder().setAbiVersion(999));
        });
        LoadedModel old = KilnRuntime.load(file);
        assertTrue(old.codeNotes().get(0).contains("because it was generated for codegen ABI version 999"),
                old.codeNotes().toString());
        matchesReference(old, 3);
    }

    /** An elementwise chain whose fusion group gets a vector loop (and so a scalar twin) in a JVM with the module. */
    static final String CHAIN = """
            graph(%x : f32[B, 64]):
              %1 : f32[B, 64] = aten::sigmoid(%x)
              %2 : f32[B, 64] = aten::mul(%1, %x)
              %3 : f32[B, 64] = aten::tanh(%2)
              return (%3)
            """;

    static Path saveChain(Path file) throws Exception {
        ArchiveExporter.save(dev.kiln.ir.text.IrParser.parse(CHAIN), java.util.Map.of(), List.of("x"), List.of("y"),
                dev.kiln.serialization.ArchiveMetadata.of("test.Chain").withCompileOptions(java.util.Map.of("backend",
                        "jvm")), file);
        return file;
    }

    /** The chain's output for batch {@code b} against float64 loops (1e-5). */
    static void chainMatchesReference(LoadedModel m, int b) {
        float[] x = TinyModel.data(b * 64, 0.7 * b);
        float[] got = m.forward(Tensor.of(x, b, 64)).get(0).contiguous().toFloatArray();
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            double want = Math.tanh(v / (1 + Math.exp(-v)));
            assertEquals(want, got[i], 1e-5, m.codeNotes() + " b=" + b + " [" + i + "]");
        }
    }

    /**
     * A JVM without the Vector API (as the launcher's one-shot JVM; here {@code vectorModule=false}) runs the scalar
     * twin the exporter stores beside a class with vector loops — scanned, no code generated — and without a twin
     * (an archive from before format 1.2) regenerates scalar code. A hostile twin is rejected like any class.
     */
    @Test
    void withoutTheVectorApiTheScalarTwinRunsAndAnArchiveWithoutOneRegenerates() throws Exception {
        Assumptions.assumeTrue(JvmCompiler.vectorModulePresent(), "classes get vector loops (and twins) only with "
                + "jdk.incubator.vector");
        Path file = saveChain(dir.resolve("t.kiln"));
        KilnArchive a = ArchiveReader.read(file);
        CompiledCode.Artifact art = a.compiledCode("jvm").orElseThrow().artifacts().get(0);
        assertTrue(GeneratedCodeVerifier.verify(a.classFile(art.name())).usesVectorApi(), "the chain has a vector loop");
        assertNotNull(art.scalarClass(), "a class with vector loops gets a scalar twin");
        assertFalse(GeneratedCodeVerifier.verify(a.classFile(art.scalarClass())).usesVectorApi());

        LoadedModel twin = withoutVectorApi(file);
        assertEquals(List.of("jvm: " + art.scalarEntry() + ": SHA-256 checked, allow-list scan passed, loaded (the "
                + "scalar twin of " + art.name() + ": this JVM has no jdk.incubator.vector)"), twin.codeNotes());
        LoadedModel vector = KilnRuntime.load(file);
        assertTrue(vector.codeNotes().get(0).contains(art.entry() + ": SHA-256 checked"), vector.codeNotes().toString());
        for (int b : new int[] {1, 3}) {
            chainMatchesReference(twin, b);
            chainMatchesReference(vector, b);
        }

        Rezip.editModel(file, m -> {
            var c = m.getCompiledCode(0);
            return m.setCompiledCode(0, c.toBuilder().setArtifacts(0, c.getArtifacts(0).toBuilder().clearScalarClass()));
        });
        LoadedModel regenerated = withoutVectorApi(file);
        assertTrue(regenerated.codeNotes().get(0).contains("class regenerated from the archive's optimised graph "
                + "because the archived class uses vector loops"), regenerated.codeNotes().toString());
        chainMatchesReference(regenerated, 2);

        Path hostile = saveChain(dir.resolve("h.kiln"));
        HostileCode.tamper(hostile);
        String twinEntry = ArchiveReader.read(hostile).compiledCode("jvm").orElseThrow().artifacts().get(0).scalarEntry();
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> withoutVectorApi(hostile));
        assertTrue(e.getMessage().startsWith(twinEntry + ": embedded bytecode rejected by the verifier"),
                e.getMessage());
    }

    /** {@code file} prepared by the jvm backend as a JVM without {@code jdk.incubator.vector} would. */
    private static LoadedModel withoutVectorApi(Path file) throws Exception {
        KilnArchive a = ArchiveReader.read(file);
        LoadContext context = new LoadContext(a, file.toString(), LoadOptions.defaults());
        CompiledModule m = JvmBackend.module(context, a.compiledCode("jvm").orElseThrow(), false);
        return new LoadedModel(file.toString(), a.graph(), a.signature(), a.metadata(), "jvm", m::forward,
                context.notes());
    }

    @Test
    void aHostileClassWithAFixedUpChecksumIsRejectedByTheVerifier() throws Exception {
        Path file = save(dir.resolve("m.kiln"), "jvm");
        String entry = HostileCode.tamper(file);
        ArchiveReader.read(file); // passes every integrity check
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> KilnRuntime.load(file));
        for (String f : new String[] {file.toString(), "backend jvm", entry, "embedded bytecode rejected by the verifier",
            "method forward(Ldev/kiln/codegen/jvm/Frame;", "java/lang/System.exit(I)V", "--regenerate-code"}) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        assertInstanceOf(GeneratedCodeRejectedException.class, root);
        // The stored IR still serves: regenerated, the model runs correctly.
        matchesReference(KilnRuntime.load(file, LoadOptions.defaults().withRegenerateCode(true)), 2);
    }

    @Test
    void concurrentCallsFromEightThreadsAgreeWithTheReference() throws Exception {
        LoadedModel m = KilnRuntime.load(save(dir.resolve("m.kiln"), "jvm"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int b = 1 + t % 4; // four batch sizes at once: per-thread, per-binding contexts
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) matchesReference(m, b);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFormat10ArchiveStillLoadsOnEveryCpuBackend() throws Exception {
        Path file = dir.resolve("old.kiln");
        try (var in = CompiledArchiveTest.class.getResourceAsStream("/archives/tiny-format-1.0.kiln")) {
            Files.write(file, in.readAllBytes());
        }
        assertEquals("1.0", ArchiveReader.read(file).formatVersion().toString());
        LoadedModel interp = KilnRuntime.load(file);
        assertEquals("interp", interp.backend());
        matchesReference(interp, 4);
        LoadedModel jvm = KilnRuntime.load(file, LoadOptions.defaults().withBackend("jvm"));
        assertTrue(jvm.codeNotes().get(0).contains("the archive carries no JVM code (format 1.0, backend interp): "
                + "compiled from its graph at load time"), jvm.codeNotes().toString());
        matchesReference(jvm, 4);
        assertArrayEquals(new String[] {"x", "s"}, jvm.inputNames().toArray());
    }
}
