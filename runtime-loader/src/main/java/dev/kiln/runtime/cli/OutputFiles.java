package dev.kiln.runtime.cli;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a run's outputs as {@code output0.npy, output1.npy, ...}, all or nothing: each is first written to a
 * hidden temporary file in the target folder, and only when every one is complete are they renamed into place. A
 * failure deletes the temporaries (and the folder, if this call created it), so a failed run leaves no output.
 */
final class OutputFiles {
    private OutputFiles() {}

    /** The file name of output {@code i}. */
    static String name(int i) { return "output" + i + ".npy"; }

    static List<Path> write(Path dir, List<Tensor> outputs) throws IOException {
        boolean created = !Files.exists(dir);
        Files.createDirectories(dir);
        List<Path> temps = new ArrayList<>();
        List<Path> finals = new ArrayList<>();
        try {
            for (int i = 0; i < outputs.size(); i++) {
                Path tmp = Files.createTempFile(dir, "." + name(i) + ".", ".tmp");
                temps.add(tmp);
                Npy.write(outputs.get(i), tmp);
            }
            for (int i = 0; i < outputs.size(); i++) {
                Path target = dir.resolve(name(i));
                Files.move(temps.get(i), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                finals.add(target);
            }
            return finals;
        } catch (IOException | RuntimeException e) {
            for (Path p : temps) Files.deleteIfExists(p);
            for (Path p : finals) Files.deleteIfExists(p);
            if (created) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // not empty: something else wrote there meanwhile; leave it
                }
            }
            throw e;
        }
    }
}
