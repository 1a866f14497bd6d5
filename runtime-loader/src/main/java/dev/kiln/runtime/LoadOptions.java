package dev.kiln.runtime;

/**
 * How to load an archive.
 *
 * @param backend the backend to run it with, or null for the one its metadata names (see {@link Backends}). Any
 *                archive can be run with {@code interp}, since every archive holds its graph.
 */
public record LoadOptions(String backend) {
    /** The archive's own backend. */
    public static LoadOptions defaults() { return new LoadOptions(null); }

    public LoadOptions withBackend(String name) { return new LoadOptions(name); }
}
