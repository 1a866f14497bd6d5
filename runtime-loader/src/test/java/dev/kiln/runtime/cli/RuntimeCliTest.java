package dev.kiln.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import dev.kiln.runtime.TinyModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime CLI in-process: run, inspect and bench on a saved {@link TinyModel}, and each bad-input class with
 * its exit status and message (no stack trace) — and no output written when a run fails.
 */
class RuntimeCliTest {
    @TempDir
    Path dir;
    Path archive;
    Path x;
    Path s;
    Path outDir;
    float[] xData = TinyModel.data(6, 0.5);
    float[] sData = {2f, -1f};

    /** Exit status, stdout and stderr of one CLI call. */
    record Result(int status, String out, String err) {}

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new RuntimeCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void setUp() throws Exception {
        archive = TinyModel.save(dir.resolve("tiny.kiln"));
        x = dir.resolve("x.npy");
        s = dir.resolve("s.npy");
        Npy.write(Tensor.of(xData, 2, 3), x);
        Npy.write(Tensor.of(sData, 2), s);
        outDir = dir.resolve("out");
    }

    private Result run(String... extra) {
        String[] base = {"run", archive.toString(), "--out-dir", outDir.toString()};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return cli(args);
    }

    /** Asserts the status, that stderr holds every fragment and no stack trace, and that no output was written. */
    private void fails(Result r, int status, String... fragments) {
        assertEquals(status, r.status(), r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(Files.exists(outDir), "nothing written to --out-dir");
    }

    @Test
    void runWritesEachOutputInOrder() throws Exception {
        Result r = run("--input", x.toString(), "--input", s.toString());
        assertEquals(0, r.status(), r.err());
        double[][] ref = TinyModel.reference(xData, sData);
        for (int o = 0; o < 2; o++) {
            float[] got = Npy.read(outDir.resolve("output" + o + ".npy")).toFloatArray();
            for (int i = 0; i < got.length; i++) assertEquals(ref[o][i], got[i], 1e-5, "output" + o + "[" + i + "]");
        }
        assertTrue(r.out().contains("output0.npy  y : f32[2, 2]"), r.out());
        try (Stream<Path> files = Files.list(outDir)) {
            assertEquals(2, files.count(), "only output0.npy and output1.npy, no temporaries");
        }
    }

    @Test
    void timingFlagReportsLoadAndFirstInference() {
        Result r = run("--input", x.toString(), "--input", s.toString(), "--timing");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().matches("(?s)timing: load [0-9.]+ ms, read inputs [0-9.]+ ms, first inference [0-9.]+ ms; "
                + "JVM start to first result \\d+ ms\\s*"), r.err());
    }

    @Test
    void inspectShowsMetadataSignatureOpsSizesAndGraph() {
        Result r = cli("inspect", archive.toString());
        assertEquals(0, r.status(), r.err());
        for (String f : new String[] {"format 1.2", "model class      test.TinyModel", "backend          interp",
            "input   x : f32[B, 3]", "input   s : f32[B]", "output  y : f32[B, 2]", "output  h : f32[B, 2]",
            "nodes            6 (5 kinds)", "1  aten::linear", "2  param", "parameters       2 tensors, 8 elements, "
            + "32 bytes", "fc.weight", "kiln/data/0", "graph(%x : f32[B, 3], %s : f32[B]):",
            "aten::unsqueeze(%s, dim=1)"}) {
            assertTrue(r.out().contains(f), "'" + f + "' not in:\n" + r.out());
        }
    }

    @Test
    void benchEndsWithTheMedianLine() {
        Result r = cli("bench", archive.toString(), "--input", x.toString(), "--input", s.toString(), "--seconds",
                "0.2", "--warmup", "0.05", "--concurrency", "2");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[lines.length - 1].matches("median_ms=\\d+\\.\\d+"), lines[lines.length - 1]);
        assertTrue(r.out().contains("2 concurrent caller(s)"), r.out());
    }

    // ---- archives that cannot be loaded: exit 3 ----

    @Test
    void missingArchive() {
        fails(cli("run", dir.resolve("nope.kiln").toString(), "--out-dir", outDir.toString()), 3,
                "kiln run: archive " + dir.resolve("nope.kiln") + " not found");
    }

    @Test
    void truncatedArchive() throws Exception {
        byte[] all = Files.readAllBytes(archive);
        Files.write(archive, Arrays.copyOf(all, all.length - 40));
        fails(run("--input", x.toString(), "--input", s.toString()), 3, "cannot load archive (truncated)",
                archive.toString());
    }

    @Test
    void corruptedTensorData() throws Exception {
        byte[] all = Files.readAllBytes(archive);
        int at = indexOf(all, littleEndian(TinyModel.W));
        assertTrue(at > 0);
        all[at + 5] ^= 0x40;
        Files.write(archive, all);
        fails(run("--input", x.toString(), "--input", s.toString()), 3, "(checksum mismatch)",
                archive + ": kiln/data/0: SHA-256 mismatch");
    }

    @Test
    void wrongChecksumInAValidZip() throws Exception {
        Map<String, byte[]> e = Rezip.entries(archive);
        e.get("kiln/data/1")[0] ^= 1; // a bias bit, rewritten with a correct zip CRC: only the SHA-256 catches it
        Rezip.write(archive, e);
        fails(run("--input", x.toString(), "--input", s.toString()), 3, "kiln/data/1: SHA-256 mismatch");
    }

    @Test
    void newerMajorVersion() throws Exception {
        Map<String, byte[]> e = Rezip.entries(archive);
        e.put("kiln/version", "2.0\n".getBytes(StandardCharsets.US_ASCII));
        Rezip.write(archive, e);
        fails(run("--input", x.toString(), "--input", s.toString()), 3, "(unsupported version)",
                "archive format version 2.0 is not supported", "written by a newer Kiln");
    }

    @Test
    void unknownOp() throws Exception {
        Rezip.editModel(archive, m -> {
            var top = m.getGraph().getTop().toBuilder();
            for (int i = 0; i < top.getNodesCount(); i++) {
                var n = top.getNodes(i);
                if (n.hasOp() && n.getOp().getOp().equals("aten::relu")) {
                    top.setNodes(i, n.toBuilder().setOp(n.getOp().toBuilder().setOp("aten::frobnicate")));
                }
            }
            return m.setGraph(m.getGraph().toBuilder().setTop(top));
        });
        fails(run("--input", x.toString(), "--input", s.toString()), 3, "(unknown op)",
                "unknown op 'aten::frobnicate'");
        fails(cli("inspect", archive.toString()), 3, "unknown op 'aten::frobnicate'");
    }

    @Test
    void archiveForAnUnknownBackend() throws Exception {
        Rezip.editModel(archive, m -> {
            return m.setMetadata(m.getMetadata().toBuilder().putCompileOptions("backend", "tpu"));
        });
        fails(run("--input", x.toString(), "--input", s.toString()), 3, "unknown backend 'tpu'",
                "--backend interp");
        // Every archive holds its graph, so the interpreter can still run it when asked.
        assertEquals(0, run("--input", x.toString(), "--input", s.toString(), "--backend", "interp").status());
        assertEquals(0, cli("inspect", archive.toString()).status());
    }

    // ---- archives with generated code ----

    private Path compiled(String backend) throws Exception {
        return TinyModel.save(dir.resolve(backend + ".kiln"), backend);
    }

    @Test
    void jvmArchiveRunsItsVerifiedClassAndInspectShowsIt() throws Exception {
        archive = compiled("jvm");
        Result quiet = run("--input", x.toString(), "--input", s.toString());
        assertEquals(0, quiet.status(), quiet.err());
        assertEquals("", quiet.err(), "a successful run says nothing on stderr without --verbose");
        Result r = run("--input", x.toString(), "--input", s.toString(), "--verbose");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("kiln run: jvm: kiln/jvm/dev/kiln/codegen/jvm/generated/"), r.err());
        assertTrue(r.err().contains(".class: SHA-256 checked, allow-list scan passed, loaded"), r.err());
        double[][] ref = TinyModel.reference(xData, sData);
        float[] y = Npy.read(outDir.resolve("output0.npy")).toFloatArray();
        for (int i = 0; i < y.length; i++) assertEquals(ref[0][i], y[i], 1e-5, "y[" + i + "]");

        Result i = cli("inspect", archive.toString());
        assertEquals(0, i.status(), i.err());
        for (String f : new String[] {"backend          jvm",
            "jvm code: ABI version " + dev.kiln.codegen.jvm.JvmCompiler.ABI_VERSION + " (this runtime's)",
            "allow-list scan passed", "jvm_class"}) {
            assertTrue(i.out().contains(f), "'" + f + "' not in:\n" + i.out());
        }
    }

    @Test
    void tamperedClassIsExit3UnlessRegenerated() throws Exception {
        archive = compiled("jvm");
        String entry = dev.kiln.runtime.HostileCode.tamper(archive);
        fails(run("--input", x.toString(), "--input", s.toString()), 3, entry,
                "embedded bytecode rejected by the verifier", "java/lang/System.exit(I)V");
        Result i = cli("inspect", archive.toString());
        assertEquals(0, i.status(), i.err());
        assertTrue(i.out().contains("REJECTED by the allow-list scan"), i.out());

        Result r = run("--input", x.toString(), "--input", s.toString(), "--regenerate-code", "--verbose");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("class regenerated from the archive's optimised graph as requested"), r.err());
    }

    @Test
    void ptxArchiveRunsOnTheCpuAndDeviceCudaWithoutAGpuIsExit5() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                dev.kiln.codegen.ptx.cuda.CudaAvailability.check().available(), "this machine has a CUDA device");
        archive = compiled("ptx");
        Result r = run("--input", x.toString(), "--input", s.toString(), "--verbose");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("ptx: runs on the CPU"), r.err());
        Files.walk(outDir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());

        fails(run("--input", x.toString(), "--input", s.toString(), "--device", "cuda"), 5, "no CUDA device: ",
                "without --device cuda the model runs on the CPU");
        // --device cuda on an archive compiled for the CPU asks for the ptx backend, with the same answer
        archive = compiled("jvm");
        fails(run("--input", x.toString(), "--input", s.toString(), "--device", "cuda"), 5, "no CUDA device: ");
        fails(run("--input", x.toString(), "--input", s.toString(), "--device", "cuda", "--backend", "jvm"), 3,
                "--device cuda runs the ptx backend");
        fails(run("--input", x.toString(), "--input", s.toString(), "--device", "tpu"), 2,
                "--device expects cpu or cuda, found 'tpu'");
        Result i = cli("inspect", compiled("ptx").toString());
        assertTrue(i.out().contains("ptx code: ABI version 1 (this runtime's)"), i.out());
        assertTrue(i.out().contains("PTX defines .entry kiln_g"), i.out());
    }

    // ---- inputs that do not fit: exit 4 ----

    @Test
    void wrongNumberOfInputs() {
        fails(run("--input", x.toString()), 4, "expected 2 input(s) [x, s], found 1");
    }

    @Test
    void wrongRank() throws Exception {
        Npy.write(Tensor.of(xData, 6), x);
        fails(run("--input", x.toString(), "--input", s.toString()), 4, "input 'x': rank: expected 2, found 1");
    }

    @Test
    void wrongShape() throws Exception {
        Npy.write(Tensor.of(xData, 3, 2), x);
        fails(run("--input", x.toString(), "--input", s.toString()), 4,
                "input 'x': shape: expected f32[B, 3], found f32[3, 2] (dim 1: expected 3, found 2)");
    }

    @Test
    void wrongDtype() throws Exception {
        Npy.write(Tensor.ofLongs(new long[] {1, 2}, 2), s);
        fails(run("--input", x.toString(), "--input", s.toString()), 4, "input 's': dtype: expected f32, found i64");
    }

    @Test
    void malformedNpy() throws Exception {
        Files.writeString(s, "not numpy at all");
        fails(run("--input", x.toString(), "--input", s.toString()), 4, "input 1: malformed .npy file", s.toString(),
                "not a .npy file");
        byte[] good = Files.readAllBytes(x);
        Files.write(s, Arrays.copyOf(good, good.length - 4));
        fails(run("--input", x.toString(), "--input", s.toString()), 4, "truncated data");
    }

    @Test
    void missingInputFile() {
        fails(run("--input", x.toString(), "--input", dir.resolve("none.npy").toString()), 4,
                "input file " + dir.resolve("none.npy") + " not found");
    }

    @Test
    void benchChecksInputsBeforeTiming() {
        Result r = cli("bench", archive.toString(), "--input", x.toString());
        assertEquals(4, r.status(), r.err());
        assertTrue(r.err().contains("expected 2 input(s)"), r.err());
    }

    // ---- bad usage: exit 2 ----

    @Test
    void badUsage() {
        fails(cli("frobnicate"), 2, "kiln: unknown command 'frobnicate'");
        fails(cli("run", archive.toString()), 2, "kiln run: --out-dir is required");
        fails(cli("run", "--out-dir", outDir.toString()), 2, "expected one archive (.kiln file), found none");
        fails(run("--input", x.toString(), "--loud", "1"), 2, "unknown option '--loud'");
        fails(cli("bench", archive.toString(), "--seconds", "soon"), 2, "--seconds expects a positive number");
        fails(cli("bench", archive.toString(), "--threads"), 2, "--threads needs a value");
        assertEquals(2, cli().status());
        assertEquals(0, cli("help").status());
    }

    private static byte[] littleEndian(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
