package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import dev.kiln.serialization.ArchiveReader;
import dev.kiln.serialization.ArchiveWriter;
import dev.kiln.serialization.KilnArchive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * {@code runtime-loader/target/kiln-runtime.jar} alone: a fresh JVM started with {@code java -jar} (no class path
 * of ours) runs archives written here by {@code samples}, with the right outputs and exit statuses, and the jar and
 * its {@code lib/} hold no class of {@code samples} or {@code tracer}. The archives are {@code jvm} archives (the
 * default), so the jar verifies and runs their embedded classes; one whose class was replaced by a hostile one (with
 * correct checksums) is refused with exit status 3 and runs with {@code --regenerate-code}; {@code --device cuda}
 * without a GPU is exit status 5. The jar is built in the package phase of
 * runtime-loader, before samples' tests in {@code mvn verify}; when it is absent (a test-only build) this test is
 * skipped.
 */
class RuntimeJarTest {
    static final Path JAR = Path.of("../runtime-loader/target/kiln-runtime.jar").toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    static Path mlp;
    static Path controlFlow;

    /** Exit status, output and wall time of one {@code java -jar} run. */
    record Result(int status, String out, String err, long millis) {}

    @BeforeAll
    static void saveArchives() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), JAR + " not built (run mvn package or verify)");
        mlp = save("mlp");
        controlFlow = save("control_flow");
    }

    static Path save(String name) throws Exception {
        Path caseDir = ConformanceCase.defaultSuite().resolve(name);
        CaseArchives.Traced t = CaseArchives.trace(name, ConformanceCase.byName(name).load(caseDir),
                CaseJson.read(caseDir), ConformanceCase.inputs(caseDir, 0).toArray(Tensor[]::new));
        Path file = dir.resolve(name + ".kiln");
        CaseArchives.save(t, file);
        return file;
    }

    static Result java(String... args) throws Exception { return javaWith(List.of(), args); }

    /** {@link #java} with JVM options before {@code -jar}. */
    static Result javaWith(List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("CLASSPATH");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "java -jar timed out");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err), ms);
    }

    static Path caseFile(String name, String file) {
        return ConformanceCase.defaultSuite().resolve(name).resolve(file);
    }

    @Test
    void jarAndItsLibHoldNoSamplesOrTracerClass() throws IOException {
        List<Path> jars = new ArrayList<>(List.of(JAR));
        try (JarFile j = new JarFile(JAR.toFile())) {
            assertEquals("dev.kiln.runtime.cli.Main", j.getManifest().getMainAttributes().getValue("Main-Class"));
            for (String entry : j.getManifest().getMainAttributes().getValue("Class-Path").split(" ")) {
                assertFalse(entry.contains("tracer") || entry.contains("samples"), entry);
                jars.add(JAR.getParent().resolve(entry));
            }
        }
        for (Path p : jars) {
            try (JarFile j = new JarFile(p.toFile())) {
                Enumeration<? extends ZipEntry> en = j.entries();
                while (en.hasMoreElements()) {
                    String n = en.nextElement().getName();
                    assertFalse(n.startsWith("dev/kiln/samples/") || n.startsWith("dev/kiln/tracer/"), p + ": " + n);
                }
            }
        }
    }

    @Test
    void runsAnArchiveWrittenBySamplesOnAnotherBatchSize() throws Exception {
        Path outDir = dir.resolve("mlp-out");
        Result r = java("run", mlp.toString(), "--input", caseFile("mlp", "input1_x.npy").toString(), "--out-dir",
                outDir.toString());
        assertEquals(0, r.status(), r.err());
        Tensor got = Npy.read(outDir.resolve("output0.npy"));
        Comparison c = Comparison.of(got, Npy.read(caseFile("mlp", "output1_logits.npy")), 1e-4, 1e-5);
        assertTrue(c.withinTolerance(), c.problem());
        System.out.println("java -jar kiln-runtime.jar run mlp.kiln (fresh JVM, wall clock): " + r.millis() + " ms");
    }

    @Test
    void exitStatusesFromTheRealProcess() throws Exception {
        Path outDir = dir.resolve("bad-out");
        Path truncated = dir.resolve("truncated.kiln");
        byte[] all = Files.readAllBytes(mlp);
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        Result bad = java("run", truncated.toString(), "--input", caseFile("mlp", "input1_x.npy").toString(),
                "--out-dir", outDir.toString());
        assertEquals(3, bad.status(), bad.err());
        assertTrue(bad.err().contains("truncated"), bad.err());

        Result wrong = java("run", mlp.toString(), "--input", caseFile("mynet", "input1_x.npy").toString(),
                "--out-dir", outDir.toString());
        assertEquals(4, wrong.status(), wrong.err());
        assertTrue(wrong.err().contains("input 'x': rank: expected 2, found 4"), wrong.err());

        Result guard = java("run", controlFlow.toString(), "--input",
                caseFile("control_flow", "input1_x.npy").toString(), "--out-dir", outDir.toString());
        assertEquals(4, guard.status(), guard.err());
        assertTrue(guard.err().contains("guard failed at ConditionalModel.java:"), guard.err());
        for (Result r : List.of(bad, wrong, guard)) assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(outDir));

        Result usage = java("run");
        assertEquals(2, usage.status(), usage.err());
    }

    @Test
    void benchAndInspectThroughTheJar() throws Exception {
        Result bench = java("bench", mlp.toString(), "--input", caseFile("mlp", "input0_x.npy").toString(),
                "--seconds", "0.3", "--warmup", "0.1");
        assertEquals(0, bench.status(), bench.err());
        String[] lines = bench.out().strip().split("\n");
        assertTrue(lines[lines.length - 1].matches("median_ms=\\d+\\.\\d+"), bench.out());
        Result inspect = java("inspect", controlFlow.toString());
        assertEquals(0, inspect.status(), inspect.err());
        assertTrue(inspect.out().contains("kiln::guard"), inspect.out());
        assertTrue(inspect.out().contains("model class      dev.kiln.samples.models.ConditionalModel"), inspect.out());
    }

    /**
     * The mlp archive rebuilt (by the archive API, so every checksum is right) with its generated classes replaced by
     * classes of the same names whose {@code forward} calls {@code Runtime.getRuntime().exec(...)}.
     */
    static Path withHostileClass(Path original) throws Exception {
        KilnArchive a = ArchiveReader.read(original);
        KilnArchive.Builder b = KilnArchive.builder(a.graph()).signature(a.signature()).metadata(a.metadata());
        // Every class, so also the scalar twin (format 1.2) that this test's JVM, without the Vector API, would run.
        for (String name : a.classNames()) b.classFile(name, hostile(name));
        a.parameters().forEach(b::parameter);
        a.compiledCode().forEach(b::compiledCode);
        Path file = dir.resolve("hostile.kiln");
        ArchiveWriter.write(b.build(), file);
        return file;
    }

    /** A class named {@code name} whose {@code forward} calls {@code Runtime.getRuntime().exec(...)}. */
    private static byte[] hostile(String name) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, name.replace('.', '/'), null, "java/lang/Object",
                new String[] {"dev/kiln/codegen/jvm/GeneratedGraph"});
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "forward",
                "(Ldev/kiln/codegen/jvm/Frame;[Ljava/lang/Object;)[Ljava/lang/Object;", null, null);
        mv.visitCode();
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Runtime", "getRuntime", "()Ljava/lang/Runtime;", false);
        mv.visitLdcInsn("touch pwned");
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Runtime", "exec", "(Ljava/lang/String;)Ljava/lang/Process;",
                false);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * {@code java -jar} without {@code --add-modules jdk.incubator.vector} cannot run the archived vector-loop class:
     * it loads the scalar twin stored beside it (format 1.2), verified, instead of generating code at load time.
     */
    @Test
    void aJvmWithoutTheVectorApiRunsTheStoredScalarTwin() throws Exception {
        Path outDir = dir.resolve("twin-out");
        Result r = java("run", mlp.toString(), "--input", caseFile("mlp", "input0_x.npy").toString(),
                "--out-dir", outDir.toString(), "--verbose");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("allow-list scan passed, loaded (the scalar twin of"), r.err());
        assertFalse(r.err().contains("regenerated"), r.err());
        Comparison c = Comparison.of(Npy.read(outDir.resolve("output0.npy")),
                Npy.read(caseFile("mlp", "output0_logits.npy")), 1e-4, 1e-5);
        assertTrue(c.withinTolerance(), c.problem());
    }

    /**
     * {@code run} is one call then exit: its small GEMMs run in Java and the process never loads OpenBLAS or
     * JavaCPP, whose loading alone cost more than the whole load and first inference (docs/benchmarks.md, "Cold
     * start"). The class-load log of the real process shows no class of either.
     */
    @Test
    void aOneShotRunNeverLoadsOpenBlas() throws Exception {
        Path outDir = dir.resolve("oneshot-out");
        Path log = dir.resolve("class-load.log");
        Result r = javaWith(List.of("-Xlog:class+load=info:file=" + log), "run", mlp.toString(), "--input",
                caseFile("mlp", "input0_x.npy").toString(), "--out-dir", outDir.toString());
        assertEquals(0, r.status(), r.err());
        Comparison c = Comparison.of(Npy.read(outDir.resolve("output0.npy")),
                Npy.read(caseFile("mlp", "output0_logits.npy")), 1e-4, 1e-5);
        assertTrue(c.withinTolerance(), c.problem());
        String loaded = Files.readString(log);
        assertTrue(loaded.contains("dev.kiln.eager.kernels.JavaGemm"), "the log records Kiln's classes");
        assertFalse(loaded.contains("org.bytedeco."), "a one-shot run loaded JavaCPP/OpenBLAS classes");
    }

    @Test
    void embeddedCodeIsVerifiedInTheRealProcess() throws Exception {
        Path outDir = dir.resolve("hostile-out");
        Path hostile = withHostileClass(mlp);
        Result bad = java("run", hostile.toString(), "--input", caseFile("mlp", "input0_x.npy").toString(),
                "--out-dir", outDir.toString());
        assertEquals(3, bad.status(), bad.err());
        assertTrue(bad.err().contains("embedded bytecode rejected by the verifier"), bad.err());
        assertTrue(bad.err().contains("java/lang/Runtime.getRuntime()Ljava/lang/Runtime;"), bad.err());
        assertFalse(bad.err().contains("\tat "), bad.err());
        assertFalse(Files.exists(outDir));

        Result regenerated = java("run", hostile.toString(), "--input", caseFile("mlp", "input0_x.npy").toString(),
                "--out-dir", outDir.toString(), "--regenerate-code");
        assertEquals(0, regenerated.status(), regenerated.err());
        Comparison c = Comparison.of(Npy.read(outDir.resolve("output0.npy")),
                Npy.read(caseFile("mlp", "output0_logits.npy")), 1e-4, 1e-5);
        assertTrue(c.withinTolerance(), c.problem());
    }

    @Test
    void deviceCudaWithoutAGpuIsExitStatus5() throws Exception {
        Assumptions.assumeFalse(dev.kiln.codegen.ptx.cuda.CudaAvailability.check().available(), "a GPU is present");
        Path outDir = dir.resolve("cuda-out");
        Result r = java("run", mlp.toString(), "--input", caseFile("mlp", "input0_x.npy").toString(), "--out-dir",
                outDir.toString(), "--device", "cuda");
        assertEquals(5, r.status(), r.err());
        assertTrue(r.err().startsWith("kiln run: ") && r.err().contains("no CUDA device: "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(outDir));
    }
}
