package dev.kiln.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test scenario's {@code main} in a JVM of its own (this JVM's class path, the Vector API module, 1 GiB heap),
 * for scenarios whose outcome depends on what else ran in the JVM (shared JIT profiles, warm-up gates).
 */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * Runs {@code mainClass} (with {@code jvmOptions} before it) and asserts it ends within 180 s with exit status 0;
     * {@code failure} says what a non-zero status means. The child's output is in the assertion messages.
     */
    static void assertRunsCleanly(Class<?> mainClass, Path dir, String failure, String... jvmOptions)
            throws IOException, InterruptedException {
        Path out = dir.resolve("stdout.txt");
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "--add-modules",
                "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        command.addAll(java.util.List.of(jvmOptions));
        command.add(mainClass.getName());
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        Process p = pb.start();
        boolean ended = p.waitFor(180, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly();
        String log = Files.readString(out);
        assertTrue(ended, "the child JVM did not end within 180 s; its output:\n" + log);
        assertEquals(0, p.exitValue(), "child JVM exit status (" + failure + "); its output:\n" + log);
    }
}
