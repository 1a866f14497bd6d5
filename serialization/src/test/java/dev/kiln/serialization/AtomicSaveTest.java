package dev.kiln.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save either completes or leaves the target as it was, and never leaves a temporary file behind. */
class AtomicSaveTest {
    @TempDir
    Path dir;

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Throws once the {@code n}-th entry has been written: a crash in the middle of the zip. */
    private static ArchiveWriter.EntryListener failAfter(int n, List<String> seen) {
        return (name, offset, length) -> {
            seen.add(name);
            if (seen.size() == n) throw new IOException("simulated disk failure after " + name);
        };
    }

    @Test
    void failureMidWriteLeavesNoTargetAndNoTempFile() throws Exception {
        Path target = dir.resolve("model.kiln");
        List<String> seen = new ArrayList<>();
        IOException e = assertThrows(IOException.class,
                () -> ArchiveWriter.write(Samples.myNetArchive(), target, failAfter(4, seen)));
        assertEquals("simulated disk failure after kiln/data/0", e.getMessage());
        assertEquals(List.of("kiln/version", "kiln/model.pb", "kiln/code/graph.txt", "kiln/data/0"), seen);
        assertFalse(Files.exists(target));
        assertEquals(List.of(), files());
    }

    @Test
    void failureMidWriteLeavesAnExistingTargetUnchanged() throws Exception {
        Path target = dir.resolve("model.kiln");
        KilnArchive small = KilnArchive.builder(Samples.controlFlow()).build();
        ArchiveWriter.write(small, target);
        byte[] before = Files.readAllBytes(target);
        // Fail late, in the large tensor's neighbourhood, after most bytes are out.
        assertThrows(IOException.class,
                () -> ArchiveWriter.write(Samples.myNetArchive(), target, failAfter(13, new ArrayList<>())));
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("model.kiln"), files());
        ArchiveReader.read(target); // still the old, valid archive
    }

    @Test
    void anUncheckedFailureAlsoCleansUp() throws Exception {
        Path target = dir.resolve("model.kiln");
        assertThrows(IllegalStateException.class, () -> ArchiveWriter.write(Samples.myNetArchive(), target,
                (name, offset, length) -> {
                    if (name.startsWith("kiln/jvm/")) throw new IllegalStateException("boom");
                }));
        assertEquals(List.of(), files());
    }

    @Test
    void successfulSaveReplacesTheTargetAndLeavesOnlyIt() throws Exception {
        Path target = dir.resolve("model.kiln");
        ArchiveWriter.write(KilnArchive.builder(Samples.controlFlow()).build(), target);
        ArchiveWriter.write(Samples.myNetArchive(), target);
        assertEquals(List.of("model.kiln"), files());
        assertEquals("dev.kiln.samples.MyNet", ArchiveReader.read(target).metadata().modelClass());
    }

    @Test
    void savedFileIsNotOwnerOnlyLikeATempFile() throws Exception {
        Path target = dir.resolve("model.kiln");
        ArchiveWriter.write(KilnArchive.builder(Samples.controlFlow()).build(), target);
        if (Files.getFileAttributeView(target, java.nio.file.attribute.PosixFileAttributeView.class) == null) return;
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw----"));
        ArchiveWriter.write(KilnArchive.builder(Samples.controlFlow()).build(), target);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }
}
