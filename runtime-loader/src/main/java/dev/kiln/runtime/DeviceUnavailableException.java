package dev.kiln.runtime;

/**
 * The model was asked to run on a device this machine does not have ({@code --device cuda} without a usable CUDA
 * device). The message starts with "no CUDA device: " and the probe's reason. The CLI exits with its own status
 * ({@code 5}) so scripts can tell "no GPU here" from a broken archive.
 */
public final class DeviceUnavailableException extends ModelLoadException {
    public DeviceUnavailableException(String message) { super(message); }
}
