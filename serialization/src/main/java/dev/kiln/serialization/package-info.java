/**
 * The {@code .kiln} archive format: one zip file holding a model's graph, parameters, signature, metadata and
 * generated artifacts, described by the protobuf schema {@code kiln_archive.proto} (docs/archive.md).
 *
 * <p>Entry points: {@link dev.kiln.serialization.KilnArchive} (the in-memory model archive, built with its
 * builder or returned by the reader), {@link dev.kiln.serialization.ArchiveWriter} (atomic save) and
 * {@link dev.kiln.serialization.ArchiveReader} (load with full verification; every failure is an
 * {@link dev.kiln.serialization.ArchiveException} naming the entry and the {@link
 * dev.kiln.serialization.ArchiveException.Problem}).
 */
package dev.kiln.serialization;
