package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.serialization.ArchiveMetadata;
import dev.kiln.serialization.ArchiveReader;
import dev.kiln.serialization.KilnArchive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exporter: what it writes, what it refuses, and that a failed save leaves the target alone. */
class ArchiveExporterTest {
    @TempDir
    Path dir;

    @Test
    void recordsNamesMetadataAndTheInterpreterBackend() throws Exception {
        Path f = TinyModel.save(dir.resolve("tiny.kiln"));
        KilnArchive a = ArchiveReader.read(f);
        assertEquals("x", a.signature().inputs().get(0).name());
        assertEquals("h", a.signature().outputs().get(1).name());
        assertEquals(Map.of("backend", "interp"), a.metadata().compileOptions());
        assertEquals(List.of("fc.weight", "fc.bias"), List.copyOf(a.parameters().keySet()));
        assertEquals(List.of(), a.classNames());
    }

    @Test
    void nonContiguousParametersAreStoredInRowMajorOrder() throws Exception {
        // fc.weight as the transpose of a [3, 2] storage, at an offset: the archive must hold W itself.
        float[] backing = new float[7];
        for (int o = 0; o < 2; o++) for (int k = 0; k < 3; k++) backing[1 + k * 2 + o] = TinyModel.W[o * 3 + k];
        Tensor w = Tensor.fromStorage(Storage.wrap(backing), new int[] {2, 3}, new int[] {1, 2}, 1);
        Path f = dir.resolve("strided.kiln");
        ArchiveExporter.save(TinyModel.graph(), Map.of("fc.weight", w, "fc.bias", Tensor.of(TinyModel.BIAS, 2)),
                List.of("x", "s"), List.of("y", "h"), ArchiveMetadata.of("t"), f);
        float[] stored = (float[]) ArchiveReader.read(f).parameters().get("fc.weight").toArray();
        assertArrayEquals(TinyModel.W, stored, 0f);
    }

    @Test
    void refusesABackendThisRuntimeDoesNotHave() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchiveExporter.toArchive(
                TinyModel.graph(), TinyModel.parameters(), List.of("x", "s"), List.of("y", "h"),
                ArchiveMetadata.of("t").withCompileOptions(Map.of("backend", "tpu"))));
        assertTrue(e.getMessage().contains("unknown backend 'tpu' (this runtime has: interp, jvm, ptx)"),
                e.getMessage());
    }

    @Test
    void refusesPartsThatDoNotFitAndLeavesTheOldFileUnchanged() throws Exception {
        Path f = TinyModel.save(dir.resolve("model.kiln"));
        byte[] before = Files.readAllBytes(f);
        // A parameter of the wrong shape, then a wrong number of names: nothing is written.
        assertThrows(IllegalArgumentException.class, () -> ArchiveExporter.save(TinyModel.graph(),
                Map.of("fc.weight", Tensor.of(new float[6], 3, 2), "fc.bias", Tensor.of(TinyModel.BIAS, 2)),
                List.of("x", "s"), List.of("y", "h"), ArchiveMetadata.of("t"), f));
        assertThrows(IllegalArgumentException.class, () -> ArchiveExporter.save(TinyModel.graph(),
                TinyModel.parameters(), List.of("x"), List.of("y", "h"), ArchiveMetadata.of("t"), f));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());
    }

    @Test
    void aFailureWhileWritingLeavesNoPartialFileAndNoTemporary() throws Exception {
        // The target is a non-empty directory: the archive is written to a temporary file, the final rename
        // fails, and the temporary is deleted; the directory is untouched.
        Path target = dir.resolve("busy.kiln");
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep.txt"), "keep");
        assertThrows(IOException.class, () -> ArchiveExporter.save(TinyModel.graph(), TinyModel.parameters(),
                List.of("x", "s"), List.of("y", "h"), ArchiveMetadata.of("t"), target));
        assertEquals(List.of(target), listing());
        assertEquals("keep", Files.readString(target.resolve("keep.txt")));
    }

    @Test
    void savingOverAnArchiveReplacesItWhole() throws Exception {
        Path f = TinyModel.save(dir.resolve("m.kiln"));
        ArchiveExporter.save(TinyModel.graph(), TinyModel.parameters(), List.of("a", "b"), List.of("c", "d"),
                ArchiveMetadata.of("second"), f);
        LoadedModel m = KilnRuntime.load(f);
        assertEquals(List.of("a", "b"), m.inputNames());
        assertEquals("second", m.metadata().modelClass());
        assertFalse(listing().stream().anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
