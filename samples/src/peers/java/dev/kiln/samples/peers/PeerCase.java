package dev.kiln.samples.peers;

import dev.kiln.samples.CaseJson;
import dev.kiln.samples.ConformanceCase;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One conformance case as the peer benchmark sees it: its folder (weights, fixtures, {@code model.onnx},
 * {@code traced.pt}), Kiln's Java version of the model and the case's tolerances.
 */
public record PeerCase(String name, Path dir, ConformanceCase javaModel, CaseJson meta) {

    /** The case {@code name} in the suite {@link ConformanceCase#defaultSuite()}. */
    public static PeerCase named(String name) {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("conformance case '" + name + "' not found at " + dir.toAbsolutePath()
                    + " (set -Dkiln.conformance.dir or KILN_HOME)");
        }
        return new PeerCase(name, dir, ConformanceCase.byName(name), CaseJson.read(dir));
    }

    public Path onnxModel() { return dir.resolve("model.onnx"); }

    public Path torchScriptModel() { return dir.resolve("traced.pt"); }
}
