package dev.kiln.codegen.ptx;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs NVIDIA's {@code ptxas} on generated PTX text: the offline check that a kernel is valid for an architecture,
 * used by tests on machines with no GPU. {@link #find()} is empty where {@code ptxas} is not on the {@code PATH}
 * (or named by the system property {@code kiln.ptxas}); tests then skip themselves.
 */
public final class Ptxas {
    private final Path executable;

    private Ptxas(Path executable) { this.executable = executable; }

    /** The assembler on this machine, if any. */
    public static Optional<Ptxas> find() {
        String explicit = System.getProperty("kiln.ptxas");
        if (explicit != null && Files.isExecutable(Path.of(explicit))) return Optional.of(new Ptxas(Path.of(explicit)));
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, "ptxas");
            if (Files.isExecutable(p)) return Optional.of(new Ptxas(p));
        }
        return Optional.empty();
    }

    /** What one assembly produced: the exit status and the assembler's combined output (errors, warnings, -v info). */
    public record Result(int exitCode, String log) {
        public boolean ok() { return exitCode == 0; }
    }

    /** Assembles {@code ptx} for {@code arch} (e.g. {@code sm_90}) with {@code -v}, discarding the cubin. */
    public Result assemble(String ptx, String arch) {
        try {
            Path dir = Files.createTempDirectory("kiln-ptxas");
            try {
                Path in = dir.resolve("kernel.ptx");
                Path out = dir.resolve("kernel.cubin");
                Files.writeString(in, ptx, StandardCharsets.UTF_8);
                Process p = new ProcessBuilder(List.of(executable.toString(), "-v", "-arch=" + arch, in.toString(), "-o", out.toString()))
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, log + "\nptxas timed out");
                }
                return new Result(p.exitValue(), log);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            return new Result(-1, "could not run " + executable + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted while running ptxas");
        }
    }
}
