package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code runtime-loader/target/kiln-runtime} (docs/runtime.md, "Fast start") runs archives written
 * here like {@code java -jar kiln-runtime.jar} does — PyTorch's outputs, the same exit statuses, nothing on stderr —
 * with the class-data archive {@code kiln-runtime.jsa} beside it (and then really loads classes from it), without
 * one, and with one the JVM cannot use (garbage, as a stale or foreign archive would be). Skipped when the
 * launcher is not built (a test-only build).
 */
class LauncherScriptTest {
    static final Path TARGET = RuntimeJarTest.JAR.getParent();
    static final Path LAUNCHER = TARGET.resolve("kiln-runtime");

    @TempDir
    static Path dir;
    static Path mlp;

    /** Exit status, stdout and stderr of one launcher run. */
    record Result(int status, String out, String err) {}

    @BeforeAll
    static void saveArchive() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LAUNCHER) && Files.isRegularFile(RuntimeJarTest.JAR),
                LAUNCHER + " not built (run mvn package or verify)");
        Path caseDir = ConformanceCase.defaultSuite().resolve("mlp");
        CaseArchives.Traced t = CaseArchives.trace("mlp", ConformanceCase.byName("mlp").load(caseDir),
                CaseJson.read(caseDir), ConformanceCase.inputs(caseDir, 0).toArray(Tensor[]::new));
        mlp = dir.resolve("mlp.kiln");
        CaseArchives.save(t, mlp);
    }

    /** Removes the links to target/ first, so that the temporary folder's clean-up has nothing to warn about. */
    @AfterAll
    static void unlink() throws Exception {
        for (String d : List.of("no-jsa", "bad-jsa")) {
            for (String link : List.of("kiln-runtime.jar", "lib")) Files.deleteIfExists(dir.resolve(d).resolve(link));
        }
    }

    /** A copy of the launcher in a fresh folder, with the jar and lib/ linked beside it and no .jsa. */
    static Path launcherWithoutClassData(String name) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.copy(LAUNCHER, d.resolve("kiln-runtime"));
        Files.createSymbolicLink(d.resolve("kiln-runtime.jar"), RuntimeJarTest.JAR);
        Files.createSymbolicLink(d.resolve("lib"), TARGET.resolve("lib"));
        return d.resolve("kiln-runtime");
    }

    static Result launch(Path launcher, String javaOpts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("CLASSPATH");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (javaOpts != null) pb.environment().put("KILN_JAVA_OPTS", javaOpts);
        else pb.environment().remove("KILN_JAVA_OPTS");
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher timed out");
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Runs mlp on input1 through {@code launcher} and checks the output against PyTorch's and a quiet stderr. */
    static void runsMlp(Path launcher, String javaOpts, String outName) throws Exception {
        Path outDir = dir.resolve(outName);
        Result r = launch(launcher, javaOpts, "run", mlp.toString(), "--input",
                RuntimeJarTest.caseFile("mlp", "input1_x.npy").toString(), "--out-dir", outDir.toString());
        assertEquals(0, r.status(), r.err());
        // Kiln's own notes ("kiln run: jvm: ... loaded" for an archive with a generated class) are expected; any
        // other line would come from the JVM (CDS warnings about an unusable archive, ...).
        for (String line : r.err().lines().toList()) {
            assertTrue(line.startsWith("kiln run: "), "the launcher's JVM options must not make the JVM talk: " + line);
        }
        Tensor got = Npy.read(outDir.resolve("output0.npy"));
        Comparison c = Comparison.of(got, Npy.read(RuntimeJarTest.caseFile("mlp", "output1_logits.npy")), 1e-4, 1e-5);
        assertTrue(c.withinTolerance(), c.problem());
    }

    @Test
    void runsWithTheClassDataArchiveAndLoadsClassesFromIt() throws Exception {
        Path jsa = TARGET.resolve("kiln-runtime.jsa");
        Assumptions.assumeTrue(Files.isRegularFile(jsa), jsa + " not built (mvn package without -Dkiln.skipCds)");
        Path log = dir.resolve("class-load.txt");
        runsMlp(LAUNCHER, "-Xlog:class+load=info:file=" + log, "with-jsa");
        // -Xlog:class+load names the source of each class; "(top)" is the dynamic archive on top of the JDK's.
        long shared = Files.readAllLines(log).stream().filter(l -> l.contains("shared objects file (top)")).count();
        assertTrue(shared > 500, "classes loaded from kiln-runtime.jsa: " + shared);
    }

    @Test
    void runsWithoutAClassDataArchive() throws Exception {
        runsMlp(launcherWithoutClassData("no-jsa"), null, "no-jsa-out");
    }

    @Test
    void runsQuietlyWithAClassDataArchiveTheJvmCannotUse() throws Exception {
        Path launcher = launcherWithoutClassData("bad-jsa");
        Files.writeString(launcher.resolveSibling("kiln-runtime.jsa"), "not a class-data archive");
        runsMlp(launcher, null, "bad-jsa-out");
    }

    @Test
    void passesExitStatusesAndOtherCommandsThrough() throws Exception {
        Result usage = launch(LAUNCHER, null, "frobnicate");
        assertEquals(2, usage.status(), usage.err());
        assertTrue(usage.err().contains("unknown command 'frobnicate'"), usage.err());

        Result inspect = launch(LAUNCHER, null, "inspect", mlp.toString());
        assertEquals(0, inspect.status(), inspect.err());
        assertTrue(inspect.out().contains("aten::linear"), inspect.out());

        Result missing = launch(LAUNCHER, null, "run", dir.resolve("absent.kiln").toString(), "--input",
                RuntimeJarTest.caseFile("mlp", "input1_x.npy").toString(), "--out-dir", dir.resolve("x").toString());
        assertEquals(3, missing.status(), missing.err());
    }
}
