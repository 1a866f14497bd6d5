package dev.kiln.runtime.server;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The models a server serves, by name. Built from archive paths and folders: an archive {@code mlp.kiln} is served
 * as {@code mlp}; a folder is a model repository whose {@code *.kiln} files (not recursive) are served the same
 * way. Names must be unique and match {@code [A-Za-z0-9_.-]+} (so they are safe in URLs and metric labels).
 */
public final class ModelRepository {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    private ModelRepository() {}

    /** The archives {@code paths} name, by model name, in the order given (a folder's files sorted). */
    public static Map<String, Path> archives(List<Path> paths) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        for (Path p : paths) {
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".kiln") && Files.isRegularFile(f))
                            .sorted().forEach(files::add);
                }
                if (files.isEmpty()) throw new IOException("model repository " + p + " holds no .kiln archive");
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IOException("no such archive or folder: " + p);
            }
            for (Path f : files) {
                String name = name(f);
                if (out.containsKey(name)) {
                    throw new IOException("two archives would be served as '" + name + "': " + out.get(name) + " and " + f);
                }
                out.put(name, f);
            }
        }
        if (out.isEmpty()) throw new IOException("no archive to serve");
        return out;
    }

    /** The model name of archive {@code file}: its file name without {@code .kiln}. */
    static String name(Path file) throws IOException {
        String n = file.getFileName().toString();
        if (n.endsWith(".kiln")) n = n.substring(0, n.length() - ".kiln".length());
        if (!NAME.matcher(n).matches()) {
            throw new IOException("cannot serve " + file + ": model name '" + n + "' must match " + NAME.pattern());
        }
        return n;
    }

    /** Loads every archive (failing on the first that does not load). */
    public static Map<String, LoadedModel> load(Map<String, Path> archives) throws IOException {
        Map<String, LoadedModel> out = new LinkedHashMap<>();
        for (var e : archives.entrySet()) out.put(e.getKey(), KilnRuntime.load(e.getValue()));
        return Collections.unmodifiableMap(out);
    }
}
