package dev.kiln.runtime.cli;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadOptions;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.serialization.ArchiveException;
import dev.kiln.serialization.ArchiveReader;
import dev.kiln.serialization.KilnArchive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reading a command's files, with each failure turned into the right {@link CliFailure} and message. */
final class ModelFiles {
    private ModelFiles() {}

    /** Reads and verifies an archive without preparing it to run (for inspect). Exit status 3 on failure. */
    static KilnArchive readArchive(String file) {
        Path p = existing(file, ExitStatus.BAD_ARCHIVE, "archive");
        try {
            return ArchiveReader.read(p);
        } catch (IOException e) {
            throw archiveFailure(p, e);
        }
    }

    /** Loads an archive to run, with {@code backend} (null: the archive's own). Exit status 3 on failure. */
    static LoadedModel load(String file, String backend) {
        Path p = existing(file, ExitStatus.BAD_ARCHIVE, "archive");
        try {
            return KilnRuntime.load(p, new LoadOptions(backend));
        } catch (IOException e) {
            throw archiveFailure(p, e);
        }
    }

    /** Reads each {@code .npy} input, in order. Exit status 4 on a missing, unreadable or malformed file. */
    static Tensor[] readInputs(List<String> files) {
        Tensor[] out = new Tensor[files.size()];
        for (int i = 0; i < out.length; i++) {
            Path p = existing(files.get(i), ExitStatus.BAD_INPUT, "input file");
            try {
                out[i] = Npy.read(p);
            } catch (KilnException e) {
                // TensorFileException: its message already starts with the file.
                throw new CliFailure(ExitStatus.BAD_INPUT, "input " + i + ": malformed .npy file: " + e.getMessage());
            } catch (IOException e) {
                throw new CliFailure(ExitStatus.BAD_INPUT, "input " + i + ": cannot read " + p + ": " + e);
            }
        }
        return out;
    }

    private static Path existing(String file, int status, String what) {
        Path p = Path.of(file);
        if (!Files.exists(p)) throw new CliFailure(status, what + " " + p + " not found");
        if (Files.isDirectory(p)) throw new CliFailure(status, what + " " + p + " is a directory, not a file");
        return p;
    }

    private static CliFailure archiveFailure(Path p, IOException e) {
        // ArchiveException and ModelLoadException messages start with the file; other I/O errors may not.
        String msg = e instanceof ArchiveException ae
                ? "cannot load archive (" + ae.problem().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + "): " + e.getMessage()
                : e instanceof NoSuchFileException ? "archive " + p + " not found"
                : e.getMessage() != null && e.getMessage().startsWith(p.toString())
                        ? "cannot load archive: " + e.getMessage()
                : "cannot load archive " + p + ": " + e;
        return new CliFailure(ExitStatus.BAD_ARCHIVE, msg);
    }
}
