/**
 * Loading and running {@code .kiln} archives with no model source.
 *
 * <p>{@link dev.kiln.runtime.KilnRuntime#load} reads and verifies an archive ({@code serialization}), turns its
 * parameters into eager tensors once, and hands the model to the {@link dev.kiln.runtime.Backend} its metadata
 * names ({@code compile_options["backend"]}; {@code interp}, the reference interpreter, is the only one built so
 * far). The result, a {@link dev.kiln.runtime.LoadedModel}, checks every call against the archive's
 * {@link dev.kiln.serialization.Signature} and may be called from many threads at once.
 * {@link dev.kiln.runtime.ArchiveExporter} is the other direction: graph + tensors + names + metadata → archive.
 * The command line ({@code run}, {@code inspect}, {@code bench}) is {@link dev.kiln.runtime.cli.RuntimeCli}.
 */
package dev.kiln.runtime;
