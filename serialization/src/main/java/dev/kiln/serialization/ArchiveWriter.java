package dev.kiln.serialization;

import com.google.protobuf.ByteString;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.serialization.proto.ArtifactEntry;
import dev.kiln.serialization.proto.ArtifactKind;
import dev.kiln.serialization.proto.CodeArtifact;
import dev.kiln.serialization.proto.PtxLaunch;
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
import java.util.ArrayList;
import java.util.HashMap;
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
 * (parameters in insertion order, then the graph's constant table, then each compiled-code graph's; identical bytes
 * stored once), class files, PTX, extras. Every entry is stored
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
        Plan plan = plan(archive);
        List<Planned> withModel = new ArrayList<>(plan.entries);
        withModel.add(1, new Planned(ArchiveLayout.MODEL, null, ByteBuffer.wrap(model(archive, plan).toByteArray())));

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
        for (Planned p : plan.entries) index.add(p.entry);
        return index;
    }

    /** An entry to write: name, bytes, and (for all but model.pb) its index line. */
    private record Planned(String name, ArchiveEntry entry, ByteBuffer content) {
    }

    /**
     * Every entry except model.pb, with its SHA-256, in write order, and the {@link TensorInfo} of every tensor:
     * the parameters, the model graph's constants, and each compiled-code section's constants. Identical tensor
     * bytes are stored once: a later tensor whose bytes equal an earlier one's (same length and SHA-256) points at
     * the earlier entry (a compiled graph's frozen weights are mostly the parameters themselves).
     */
    private static final class Plan {
        final List<Planned> entries = new ArrayList<>();
        final List<TensorInfo> parameters = new ArrayList<>();
        final List<TensorInfo> constants = new ArrayList<>();
        final List<List<TensorInfo>> codeConstants = new ArrayList<>();
        private final Map<String, String> entryByContent = new HashMap<>();
        private int nextData;

        TensorInfo tensor(String name, RawTensor t) {
            ByteBuffer data = t.data();
            byte[] sha = sha256(data);
            String key = HexFormat.of().formatHex(sha) + "/" + data.remaining();
            String entry = entryByContent.get(key);
            if (entry == null) {
                entry = ArchiveLayout.dataEntry(nextData++);
                entryByContent.put(key, entry);
                add(entry, ArchiveEntry.Kind.TENSOR_DATA, data, sha);
            }
            TensorInfo.Builder info = TensorInfo.newBuilder().setName(name).setDtype(ProtoTypes.dtype(t.dtype()))
                    .setEntry(entry).setByteLength(t.byteLength()).setSha256(ByteString.copyFrom(sha));
            for (long s : t.shape()) info.addShape(s);
            return info.build();
        }

        void add(String name, ArchiveEntry.Kind kind, ByteBuffer content) { add(name, kind, content, sha256(content)); }

        private void add(String name, ArchiveEntry.Kind kind, ByteBuffer content, byte[] sha) {
            entries.add(new Planned(name, new ArchiveEntry(name, kind, content.remaining(), HexFormat.of().formatHex(sha)),
                    content));
        }
    }

    private static Plan plan(KilnArchive a) {
        Plan p = new Plan();
        p.add(ArchiveLayout.VERSION, ArchiveEntry.Kind.VERSION, utf8(FormatVersion.CURRENT.fileText()));
        p.add(ArchiveLayout.GRAPH_TEXT, ArchiveEntry.Kind.GRAPH_TEXT, utf8(IrPrinter.print(a.graph())));
        for (Map.Entry<String, RawTensor> e : a.parameters().entrySet()) {
            p.parameters.add(p.tensor(e.getKey(), e.getValue()));
        }
        for (Map.Entry<String, TensorData> e : a.constants().entrySet()) {
            p.constants.add(p.tensor(e.getKey(), RawTensor.of(e.getValue())));
        }
        for (CompiledCode c : a.compiledCode()) {
            List<TensorInfo> infos = new ArrayList<>();
            for (Map.Entry<String, TensorData> e : c.graph().constants().entrySet()) {
                infos.add(p.tensor(e.getKey(), RawTensor.of(e.getValue())));
            }
            p.codeConstants.add(infos);
        }
        for (Map.Entry<String, byte[]> e : a.classFilesView().entrySet()) {
            p.add(ArchiveLayout.classEntry(e.getKey()), ArchiveEntry.Kind.JVM_CLASS, ByteBuffer.wrap(e.getValue()));
        }
        for (Map.Entry<String, String> e : a.ptx().entrySet()) {
            p.add(ArchiveLayout.ptxEntry(e.getKey()), ArchiveEntry.Kind.PTX, utf8(e.getValue()));
        }
        for (Map.Entry<String, byte[]> e : a.extrasView().entrySet()) {
            p.add(ArchiveLayout.extraEntry(e.getKey()), ArchiveEntry.Kind.EXTRA, ByteBuffer.wrap(e.getValue()));
        }
        return p;
    }

    private static Model model(KilnArchive a, Plan plan) {
        Model.Builder m = Model.newBuilder();
        // Lite messages (no nested-builder accessors): each sub-message is built, then set.
        m.setFormatVersion(dev.kiln.serialization.proto.FormatVersion.newBuilder()
                .setMajor(FormatVersion.CURRENT.major()).setMinor(FormatVersion.CURRENT.minor()));
        ArchiveMetadata md = a.metadata();
        m.setMetadata(Metadata.newBuilder().setKilnVersion(md.kilnVersion())
                .setCreatedUnixMillis(md.created().toEpochMilli()).setModelClass(md.modelClass())
                .putAllTraceOptions(md.traceOptions()).putAllCompileOptions(md.compileOptions()));
        var sig = dev.kiln.serialization.proto.Signature.newBuilder();
        for (Signature.Port p : a.signature().inputs()) sig.addInputs(port(p));
        for (Signature.Port p : a.signature().outputs()) sig.addOutputs(port(p));
        m.setSignature(sig);
        m.setGraph(dev.kiln.serialization.proto.Graph.newBuilder().setTop(GraphEncoder.block(a.graph().topBlock()))
                .addAllConstants(plan.constants));
        m.addAllParameters(plan.parameters);
        for (int i = 0; i < a.compiledCode().size(); i++) {
            m.addCompiledCode(compiledCode(a.compiledCode().get(i), plan.codeConstants.get(i)));
        }
        for (Planned p : plan.entries) {
            m.addArtifacts(ArtifactEntry.newBuilder().setName(p.name).setKind(ArtifactKind.valueOf(p.entry.kind().name()))
                    .setByteLength(p.entry.byteLength())
                    .setSha256(ByteString.copyFrom(HexFormat.of().parseHex(p.entry.sha256()))));
        }
        return m.build();
    }

    private static dev.kiln.serialization.proto.CompiledCode compiledCode(CompiledCode c, List<TensorInfo> constants) {
        var out = dev.kiln.serialization.proto.CompiledCode.newBuilder().setBackend(c.backend())
                .setAbiVersion(c.abiVersion()).putAllCompileOptions(c.compileOptions());
        out.setGraph(dev.kiln.serialization.proto.Graph.newBuilder().setTop(GraphEncoder.block(c.graph().topBlock(), true))
                .addAllConstants(constants));
        for (CompiledCode.Artifact a : c.artifacts()) {
            var art = CodeArtifact.newBuilder().setName(a.name()).setEntry(a.entry());
            if (a.scalarClass() != null) art.setScalarClass(a.scalarClass());
            CompiledCode.PtxLaunch l = a.launch();
            if (l != null) {
                var launch = PtxLaunch.newBuilder().setNode(l.node()).setThreads(l.threads())
                        .setReduction(l.reduction());
                for (int op : l.operandParams()) launch.addOperandParams(op);
                for (var d : l.sizeParams()) launch.addSizeParams(ProtoTypes.dim(d));
                art.setLaunch(launch);
            }
            out.addArtifacts(art);
        }
        return out.build();
    }

    private static NamedType port(Signature.Port p) {
        return NamedType.newBuilder().setName(p.name()).setType(ProtoTypes.tensorType(p.type())).build();
    }

    private static ByteBuffer utf8(String s) { return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)); }

    /** The SHA-256 of {@code content}'s remaining bytes (its position unchanged): see {@link Sha256}. */
    static byte[] sha256(ByteBuffer content) { return Sha256.digest(content); }

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
