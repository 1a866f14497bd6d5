package dev.kiln.runtime.cli;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import dev.kiln.runtime.DeviceUnavailableException;
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
import java.util.Set;

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

    /** The options that choose how a model is loaded: {@code --backend NAME}, {@code --device cpu|cuda}. */
    static final Set<String> LOAD_OPTIONS = Set.of("--backend", "--device");
    /** The flag that ignores embedded code and regenerates it from the archive's IR. */
    static final String REGENERATE = "--regenerate-code";

    /** {@link LoadOptions} from a command line that accepted {@link #LOAD_OPTIONS} and {@link #REGENERATE}. */
    static LoadOptions loadOptions(CommandLine cl) {
        LoadOptions o = LoadOptions.defaults().withBackend(cl.optional("--backend")).withRegenerateCode(cl.flag(REGENERATE));
        String device = cl.optional("--device");
        if (device != null) {
            LoadOptions.Device d = LoadOptions.Device.parse(device);
            if (d == null) throw CliFailure.usage("--device expects cpu or cuda, found '" + device + "'");
            o = o.withDevice(d);
        }
        return o;
    }

    /**
     * Loads an archive to run as {@code options} say. Exit status 3 when it cannot be loaded, 5 when
     * {@code --device cuda} finds no device.
     */
    static LoadedModel load(String file, LoadOptions options) {
        Path p = existing(file, ExitStatus.BAD_ARCHIVE, "archive");
        try {
            return KilnRuntime.load(p, options);
        } catch (DeviceUnavailableException e) {
            throw new CliFailure(ExitStatus.NO_DEVICE, e.getMessage());
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
