package dev.kiln.serialization;

import com.google.protobuf.ByteString;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.serialization.proto.ArtifactEntry;
import dev.kiln.serialization.proto.ArtifactKind;
import dev.kiln.serialization.proto.Metadata;
import dev.kiln.serialization.proto.Model;
import dev.kiln.serialization.proto.NamedType;
import dev.kiln.serialization.proto.TensorInfo;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Saves a {@link KilnArchive} as a {@code .kiln} file, atomically: the zip is written to a temporary file in the
 * target's directory, forced to disk, then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}.
 * Readers of the target therefore see the old file or the complete new one, never a partial one; when anything
 * fails (I/O, a listener, a crash before the rename), the target is untouched and the temporary file is deleted
 * (after a crash it remains as {@code .<name>.<random>.tmp}, never under the target name).
 *
 * <p>Entry order: {@code kiln/version}, {@code kiln/model.pb}, {@code kiln/code/graph.txt}, the tensor data
 * (parameters in insertion order, then the graph's constant table), class files, PTX, extras. Every entry is stored
 * and 64-byte aligned ({@link AlignedZipWriter}).
 */
public final class ArchiveWriter {

    /** Told about each entry right after its bytes are written; may throw to abort the save (progress, tests). */
    @FunctionalInterface
    public interface EntryListener {
        void entryWritten(String name, long dataOffset, long byteLength) throws IOException;
    }

    private ArchiveWriter() {}

    /** Saves {@code archive} to {@code target}, replacing it atomically; returns the artifact index written. */
    public static List<ArchiveEntry> write(KilnArchive archive, Path target) throws IOException {
        return write(archive, target, (name, offset, length) -> { });
    }

    /** As {@link #write(KilnArchive, Path)}, calling {@code listener} after each entry. */
    public static List<ArchiveEntry> write(KilnArchive archive, Path target, EntryListener listener)
            throws IOException {
        List<Planned> plan = plan(archive);
        List<Planned> withModel = new ArrayList<>(plan);
        withModel.add(1, new Planned(ArchiveLayout.MODEL, null, ByteBuffer.wrap(model(archive, plan).toByteArray()),
                null));

        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                AlignedZipWriter zip = new AlignedZipWriter(out);
                for (Planned p : withModel) {
                    long offset = zip.put(p.name, p.content);
                    listener.entryWritten(p.name, offset, p.content.remaining());
                }
                zip.finish();
                out.flush();
                ch.force(true);
            }
            setPermissions(tmp, abs);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
        List<ArchiveEntry> index = new ArrayList<>();
        for (Planned p : plan) index.add(p.entry);
        return index;
    }

    /** An entry to write: name, bytes, and (for all but model.pb) its index line. */
    private record Planned(String name, ArchiveEntry entry, ByteBuffer content, TensorInfo tensor) {
    }

    /** Every entry except model.pb, with its SHA-256, in write order. */
    private static List<Planned> plan(KilnArchive a) {
        List<Planned> out = new ArrayList<>();
        add(out, ArchiveLayout.VERSION, ArchiveEntry.Kind.VERSION, utf8(FormatVersion.CURRENT.fileText()), null);
        add(out, ArchiveLayout.GRAPH_TEXT, ArchiveEntry.Kind.GRAPH_TEXT, utf8(IrPrinter.print(a.graph())), null);
        int n = 0;
        for (Map.Entry<String, RawTensor> e : a.parameters().entrySet()) {
            addTensor(out, ArchiveLayout.dataEntry(n++), e.getKey(), e.getValue());
        }
        for (Map.Entry<String, TensorData> e : a.constants().entrySet()) {
            addTensor(out, ArchiveLayout.dataEntry(n++), e.getKey(), RawTensor.of(e.getValue()));
        }
        for (Map.Entry<String, byte[]> e : a.classFilesView().entrySet()) {
            add(out, ArchiveLayout.classEntry(e.getKey()), ArchiveEntry.Kind.JVM_CLASS, ByteBuffer.wrap(e.getValue()),
                    null);
        }
        for (Map.Entry<String, String> e : a.ptx().entrySet()) {
            add(out, ArchiveLayout.ptxEntry(e.getKey()), ArchiveEntry.Kind.PTX, utf8(e.getValue()), null);
        }
        for (Map.Entry<String, byte[]> e : a.extrasView().entrySet()) {
            add(out, ArchiveLayout.extraEntry(e.getKey()), ArchiveEntry.Kind.EXTRA, ByteBuffer.wrap(e.getValue()), null);
        }
        return out;
    }

    private static void addTensor(List<Planned> out, String entry, String name, RawTensor t) {
        TensorInfo.Builder info = TensorInfo.newBuilder().setName(name).setDtype(ProtoTypes.dtype(t.dtype()))
                .setEntry(entry).setByteLength(t.byteLength());
        for (long s : t.shape()) info.addShape(s);
        add(out, entry, ArchiveEntry.Kind.TENSOR_DATA, t.data(), info);
    }

    private static void add(List<Planned> out, String name, ArchiveEntry.Kind kind, ByteBuffer content,
                            TensorInfo.Builder tensor) {
        byte[] sha = sha256(content);
        ArchiveEntry entry = new ArchiveEntry(name, kind, content.remaining(), HexFormat.of().formatHex(sha));
        TensorInfo info = tensor == null ? null : tensor.setSha256(ByteString.copyFrom(sha)).build();
        out.add(new Planned(name, entry, content, info));
    }

    private static Model model(KilnArchive a, List<Planned> plan) {
        Model.Builder m = Model.newBuilder();
        m.getFormatVersionBuilder().setMajor(FormatVersion.CURRENT.major()).setMinor(FormatVersion.CURRENT.minor());
        ArchiveMetadata md = a.metadata();
        m.setMetadata(Metadata.newBuilder().setKilnVersion(md.kilnVersion())
                .setCreatedUnixMillis(md.created().toEpochMilli()).setModelClass(md.modelClass())
                .putAllTraceOptions(md.traceOptions()).putAllCompileOptions(md.compileOptions()));
        for (Signature.Port p : a.signature().inputs()) m.getSignatureBuilder().addInputs(port(p));
        for (Signature.Port p : a.signature().outputs()) m.getSignatureBuilder().addOutputs(port(p));
        m.getGraphBuilder().setTop(GraphEncoder.block(a.graph().topBlock()));
        int params = a.parameters().size();
        int tensors = 0;
        for (Planned p : plan) {
            if (p.tensor != null) {
                if (tensors++ < params) m.addParameters(p.tensor);
                else m.getGraphBuilder().addConstants(p.tensor);
            }
            m.addArtifacts(ArtifactEntry.newBuilder().setName(p.name).setKind(ArtifactKind.valueOf(p.entry.kind().name()))
                    .setByteLength(p.entry.byteLength())
                    .setSha256(ByteString.copyFrom(HexFormat.of().parseHex(p.entry.sha256()))));
        }
        return m.build();
    }

    private static NamedType port(Signature.Port p) {
        return NamedType.newBuilder().setName(p.name()).setType(ProtoTypes.tensorType(p.type())).build();
    }

    private static ByteBuffer utf8(String s) { return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)); }

    static byte[] sha256(ByteBuffer content) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(content.duplicate());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /**
     * Temporary files are created owner-only (0600); a model file is meant to be shared, so give the new file the
     * permissions of the file it replaces, or rw-r--r-- for a new one. No-op where POSIX permissions do not exist.
     */
    private static void setPermissions(Path tmp, Path target) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        if (view == null) return;
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target) : PosixFilePermissions.fromString("rw-r--r--");
        view.setPermissions(perms);
    }

    /** Makes the rename durable; some platforms cannot open a directory, and there the rename must do. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort: the data itself was forced before the rename.
        }
    }
}
