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
 * @param warmKernels    load the native GEMM library (OpenBLAS) on a background thread while the archive is read,
 *                       so that the model's calls run native GEMMs from the first (default). A one-shot process
 *                       ({@code kiln run}) turns it off: its few small products run in Java and it never pays for
 *                       loading OpenBLAS ({@link dev.kiln.eager.kernels.NativeBlas}); a large one loads it then.
 */
public record LoadOptions(String backend, boolean regenerateCode, Device device, boolean warmKernels) {
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
    public static LoadOptions defaults() { return new LoadOptions(null, false, Device.CPU, true); }

    public LoadOptions withBackend(String name) { return new LoadOptions(name, regenerateCode, device, warmKernels); }

    public LoadOptions withRegenerateCode(boolean regenerate) {
        return new LoadOptions(backend, regenerate, device, warmKernels);
    }

    public LoadOptions withDevice(Device d) { return new LoadOptions(backend, regenerateCode, d, warmKernels); }

    public LoadOptions withWarmKernels(boolean warm) { return new LoadOptions(backend, regenerateCode, device, warm); }
}
