package dev.kiln.runtime;

import java.util.Locale;
import java.util.Objects;

/**
 * How to load an archive.
 *
 * @param backend        the backend to run it with, or null for the one its metadata names (see {@link Backends}).
 *                       Any archive can be run with {@code interp}, since every archive holds its graph.
 * @param regenerateCode ignore embedded generated code and generate it again from the archive's stored IR (the
 *                       {@code jvm} and {@code ptx} backends; {@code --regenerate-code})
 * @param device         where to run: {@link Device#CPU} (default) or {@link Device#CUDA}, which needs the
 *                       {@code ptx} backend and a CUDA device ({@code --device cuda})
 */
public record LoadOptions(String backend, boolean regenerateCode, Device device) {
    /** Where a model runs. */
    public enum Device {
        CPU, CUDA;

        /** {@code cpu} or {@code cuda} (any case); null for anything else. */
        public static Device parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "cpu" -> CPU;
                case "cuda" -> CUDA;
                default -> null;
            };
        }
    }

    public LoadOptions {
        Objects.requireNonNull(device, "device");
    }

    /** The archive's own backend, its embedded code, on the CPU. */
    public static LoadOptions defaults() { return new LoadOptions(null, false, Device.CPU); }

    public LoadOptions withBackend(String name) { return new LoadOptions(name, regenerateCode, device); }

    public LoadOptions withRegenerateCode(boolean regenerate) { return new LoadOptions(backend, regenerate, device); }

    public LoadOptions withDevice(Device d) { return new LoadOptions(backend, regenerateCode, d); }
}
