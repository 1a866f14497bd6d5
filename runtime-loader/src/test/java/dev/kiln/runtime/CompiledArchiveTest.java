package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.codegen.jvm.GeneratedCodeRejectedException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Archives that carry generated code ({@link TinyModel} exported for {@code jvm} and {@code ptx}): save → load → run
 * equals the float64 reference and the interpreter; the embedded class is verified and used, regenerated on request
 * or for another ABI version; a class replaced by a hostile one (checksum fixed up) is rejected by the verifier;
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
