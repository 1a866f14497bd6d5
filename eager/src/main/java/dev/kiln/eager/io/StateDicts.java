package dev.kiln.eager.io;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.IncompatibleKeys;
import dev.kiln.eager.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * State dicts (name → tensor maps, keyed as PyTorch's {@code state_dict}) on disk, in two layouts:
 *
 * <ul>
 *   <li>a folder of {@code .npy} files, one per key, named {@code <key>.npy} (e.g. {@code fc1.weight.npy}) — the
 *       layout of the conformance fixtures' {@code weights/} folders;
 *   <li>one {@code .safetensors} file (see {@link Safetensors}).
 * </ul>
 *
 * {@link #loadInto} reads either and loads it into a module with {@link Module#loadStateDict}.
 */
public final class StateDicts {
    private static final String NPY = ".npy";

    private StateDicts() {}

    /**
     * Reads every {@code *.npy} file directly inside {@code dir}, keyed by file name without {@code .npy}, in
     * name order (a folder has no other stable order). Other files are ignored.
     */
    public static LinkedHashMap<String, Tensor> loadNpyFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new TensorFileException(dir, "expected a folder of .npy files, found "
                    + (Files.exists(dir) ? "a file" : "nothing"));
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> p.getFileName().toString().endsWith(NPY) && Files.isRegularFile(p)).forEach(files::add);
        }
        files.sort(null);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            out.put(name.substring(0, name.length() - NPY.length()), Npy.read(f));
        }
        return out;
    }

    /** Writes each entry to {@code dir/<key>.npy}, creating {@code dir} if needed. */
    public static void saveNpyFolder(Map<String, Tensor> stateDict, Path dir) throws IOException {
        for (String key : stateDict.keySet()) {
            if (key.isEmpty() || key.contains("/") || key.contains("\\") || key.equals(".") || key.equals("..")) {
                throw new TensorFileException(dir, "cannot save key '" + key + "' as a file name: expected a "
                        + "non-empty key without path separators");
            }
        }
        Files.createDirectories(dir);
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            Npy.write(e.getValue(), dir.resolve(e.getKey() + NPY));
        }
    }

    /** The tensors of a safetensors file, in header order. */
    public static LinkedHashMap<String, Tensor> loadSafetensors(Path file) throws IOException {
        return Safetensors.read(file).tensors();
    }

    public static void saveSafetensors(Map<String, Tensor> stateDict, Path file) throws IOException {
        Safetensors.write(stateDict, Map.of(), file);
    }

    /** A folder of {@code .npy} files or a safetensors file, whichever {@code path} is. */
    public static LinkedHashMap<String, Tensor> load(Path path) throws IOException {
        if (Files.isDirectory(path)) return loadNpyFolder(path);
        if (Files.isRegularFile(path)) return loadSafetensors(path);
        throw new TensorFileException(path, "expected a folder of .npy files or a .safetensors file, found nothing");
    }

    /** Strictly loads the state dict at {@code path} (see {@link #load}) into {@code module}. */
    public static IncompatibleKeys loadInto(Module module, Path path) throws IOException {
        return loadInto(module, path, true);
    }

    public static IncompatibleKeys loadInto(Module module, Path path, boolean strict) throws IOException {
        Map<String, Tensor> stateDict = load(path);
        try {
            return module.loadStateDict(stateDict, strict);
        } catch (KilnException e) {
            throw new KilnException(path + ": " + e.getMessage(), e);
        }
    }
}
