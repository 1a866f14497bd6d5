package dev.kiln.serialization;

import static dev.kiln.serialization.ArchiveException.Problem.CHECKSUM_MISMATCH;
import static dev.kiln.serialization.ArchiveException.Problem.MALFORMED;
import static dev.kiln.serialization.ArchiveException.Problem.MISSING_ENTRY;
import static dev.kiln.serialization.ArchiveException.Problem.UNSUPPORTED_VERSION;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.ir.IrException;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.serialization.proto.ArtifactEntry;
import dev.kiln.serialization.proto.Model;
import dev.kiln.serialization.proto.NamedType;
import dev.kiln.serialization.proto.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Loads a {@code .kiln} file into a {@link KilnArchive}, trusting nothing. In order:
 * <ol>
 *   <li>the zip directory: present (else the file is truncated), entries inside the file, all stored;</li>
 *   <li>{@code kiln/version}: present, {@code major.minor}, a major this reader supports;</li>
 *   <li>{@code kiln/model.pb}: present, its zip CRC-32 right, a valid protobuf {@code Model} of the same major;</li>
 *   <li>the artifact index: every entry listed exists with the listed length and SHA-256, and every zip entry
 *       but {@code kiln/model.pb} is listed;</li>
 *   <li>the model: every tensor's entry, dtype, shape and length agree; the graph decodes (ops known by
 *       {@link dev.kiln.ir.Op#byName}), verifies, reads only parameters it has, and fits the signature.</li>
 * </ol>
 * Every failure is an {@link ArchiveException} naming the file, the entry and what was expected and found.
 *
 * <p>Tensor entries of at least {@link #MAP_THRESHOLD} bytes are memory-mapped rather than read onto the heap, so
 * loading large weights costs no heap beyond the runtime's own copy. The file is read once for hashing; it should
 * not change while or after it is read (a mapping would see the change).
 */
public final class ArchiveReader {
    /** Tensor entries this large or larger are memory-mapped. */
    static final int MAP_THRESHOLD = 1 << 20;

    private final Path file;
    private final FileChannel ch;
    private final ZipDirectory dir;
    /** Each indexed entry's SHA-256 as the index records it, once {@link #verifyIndex} has checked the content. */
    private final Map<String, ByteString> verifiedSha = new HashMap<>();

    private ArchiveReader(Path file, FileChannel ch, ZipDirectory dir) {
        this.file = file;
        this.ch = ch;
        this.dir = dir;
    }

    /** Reads and verifies the archive at {@code file}. */
    public static KilnArchive read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ZipDirectory dir = ZipDirectory.read(ch, file);
            return new ArchiveReader(file, ch, dir).read();
        }
    }

    private KilnArchive read() throws IOException {
        for (ZipDirectory.Entry e : dir.entries()) {
            if (e.method() != 0 || e.compressedSize() != e.size()) {
                throw fail(MALFORMED, e.name(), "entry is compressed (zip method " + e.method()
                        + "); Kiln archives store every entry uncompressed");
            }
        }
        FormatVersion version = readVersion();
        Model model = readModel(version);
        Map<String, ByteBuffer> content = verifyIndex(model);
        List<ArchiveEntry> index = new ArrayList<>();
        for (ArtifactEntry a : model.getArtifactsList()) {
            index.add(new ArchiveEntry(a.getName(), kindOf(a), a.getByteLength(),
                    HexFormat.of().formatHex(a.getSha256().toByteArray())));
        }

        Map<String, TensorData> constants = new LinkedHashMap<>();
        for (TensorInfo t : model.getGraph().getConstantsList()) {
            if (constants.put(t.getName(), tensor(t, content, "constant").toTensorData()) != null) {
                throw fail(MALFORMED, ArchiveLayout.MODEL, "constant '" + t.getName() + "' is listed twice");
            }
        }
        Graph graph = decode(() -> GraphDecoder.decode(model.getGraph().getTop(), constants));
        KilnArchive.Builder b = KilnArchive.builder(graph);
        for (TensorInfo t : model.getParametersList()) {
            RawTensor raw = tensor(t, content, "parameter");
            build(() -> b.parameter(t.getName(), raw));
        }
        Signature sig = decode(() -> new Signature(ports(model.getSignature().getInputsList(), "input"),
                ports(model.getSignature().getOutputsList(), "output")));
        b.signature(sig);
        var md = model.getMetadata();
        b.metadata(build(() -> new ArchiveMetadata(md.getKilnVersion(), Instant.ofEpochMilli(md.getCreatedUnixMillis()),
                md.getModelClass(), md.getTraceOptionsMap(), md.getCompileOptionsMap())));
        for (ArchiveEntry e : index) {
            ByteBuffer bytes = content.get(e.name());
            switch (e.kind()) {
                case JVM_CLASS -> build(() -> b.classFile(nameOf(ArchiveLayout.classNameOf(e.name()), e), array(bytes)));
                case PTX -> {
                    String text = text(e.name(), bytes);
                    build(() -> b.ptx(nameOf(ArchiveLayout.kernelNameOf(e.name()), e), text));
                }
                case EXTRA -> build(() -> b.extra(nameOf(ArchiveLayout.extraNameOf(e.name()), e), array(bytes)));
                default -> { }
            }
        }
        for (var c : model.getCompiledCodeList()) {
            CompiledCode code = compiledCode(c, content);
            build(() -> b.compiledCode(code));
        }
        return build(() -> b.build(version, index));
    }

    /** A compiled-code section (format 1.1): its constants from their entries, its graph decoded and verified. */
    private CompiledCode compiledCode(dev.kiln.serialization.proto.CompiledCode c, Map<String, ByteBuffer> content)
            throws ArchiveException {
        String what = "compiled code for backend '" + c.getBackend() + "'";
        Map<String, TensorData> constants = new LinkedHashMap<>();
        for (TensorInfo t : c.getGraph().getConstantsList()) {
            if (constants.put(t.getName(), tensor(t, content, what + ", constant").toTensorData()) != null) {
                throw fail(MALFORMED, ArchiveLayout.MODEL, what + ": constant '" + t.getName() + "' is listed twice");
            }
        }
        Graph graph = decode(() -> {
            try {
                return GraphDecoder.decode(c.getGraph().getTop(), constants, true);
            } catch (DecodeException e) {
                throw new DecodeException(e.problem(), what + ": " + e.getMessage());
            }
        });
        List<CompiledCode.Artifact> artifacts = new ArrayList<>();
        for (var a : c.getArtifactsList()) {
            CompiledCode.PtxLaunch launch = null;
            if (a.hasLaunch()) {
                var l = a.getLaunch();
                List<dev.kiln.ir.sym.SymExpr> dims = new ArrayList<>();
                for (int i = 0; i < l.getSizeParamsCount(); i++) {
                    int k = i;
                    dims.add(decode(() -> ProtoTypes.dim(l.getSizeParams(k), what + ", kernel " + a.getName()
                            + " size parameter " + k)));
                }
                launch = build(() -> new CompiledCode.PtxLaunch(l.getNode(), l.getThreads(), l.getReduction(),
                        l.getOperandParamsList(), dims));
            }
            CompiledCode.PtxLaunch fl = launch;
            String twin = a.getScalarClass().isEmpty() ? null : a.getScalarClass();
            artifacts.add(build(() -> new CompiledCode.Artifact(a.getName(), a.getEntry(), fl, twin)));
        }
        return build(() -> new CompiledCode(c.getBackend(), c.getAbiVersion(), c.getCompileOptionsMap(), graph,
                artifacts));
    }

    // ---- version and model ----

    private FormatVersion readVersion() throws IOException {
        ZipDirectory.Entry e = require(ArchiveLayout.VERSION);
        String text = text(e.name(), readEntry(e));
        FormatVersion v = FormatVersion.parse(text);
        if (v == null) {
            throw fail(MALFORMED, e.name(), "expected a version 'major.minor', found '" + abbreviate(text) + "'");
        }
        if (!v.isReadable()) {
            throw fail(UNSUPPORTED_VERSION, e.name(), "archive format version " + v + " is not supported: this "
                    + "reader reads major version " + FormatVersion.CURRENT.major() + " (" + FormatVersion.CURRENT.major()
                    + ".x)" + (v.major() > FormatVersion.CURRENT.major() ? "; the archive was written by a newer Kiln"
                    : ""));
        }
        return v;
    }

    private Model readModel(FormatVersion version) throws IOException {
        ZipDirectory.Entry e = require(ArchiveLayout.MODEL);
        ByteBuffer bytes = readEntry(e);
        CRC32 crc = new CRC32();
        crc.update(bytes.duplicate());
        if (crc.getValue() != e.crc()) {
            throw fail(CHECKSUM_MISMATCH, e.name(), String.format("CRC-32 mismatch: the zip directory says %08x, "
                    + "the content gives %08x (the entry is corrupted)", e.crc(), crc.getValue()));
        }
        Model m;
        try {
            m = Model.parseFrom(bytes.duplicate());
        } catch (InvalidProtocolBufferException ex) {
            throw fail(MALFORMED, e.name(), "not a valid protobuf Model: " + ex.getMessage());
        }
        if (m.getFormatVersion().getMajor() != version.major()) {
            throw fail(MALFORMED, e.name(), "format version " + m.getFormatVersion().getMajor() + "."
                    + m.getFormatVersion().getMinor() + " disagrees with kiln/version " + version);
        }
        return m;
    }

    // ---- index ----

    /** Checks the index against the zip; returns each indexed entry's verified bytes. */
    private Map<String, ByteBuffer> verifyIndex(Model model) throws IOException {
        Map<String, ByteBuffer> content = new HashMap<>();
        for (ArtifactEntry a : model.getArtifactsList()) {
            if (content.containsKey(a.getName())) throw fail(MALFORMED, ArchiveLayout.MODEL, "artifact index lists '"
                    + a.getName() + "' twice");
            ZipDirectory.Entry e = dir.get(a.getName());
            if (e == null) {
                throw fail(MISSING_ENTRY, a.getName(), "entry is listed in the artifact index but absent from the zip");
            }
            if (e.size() != a.getByteLength()) {
                throw fail(CHECKSUM_MISMATCH, a.getName(), "length mismatch: the index says " + a.getByteLength()
                        + " bytes, the zip entry has " + e.size());
            }
            ByteBuffer bytes = readEntry(e);
            byte[] sha = ArchiveWriter.sha256(bytes);
            if (!ByteString.copyFrom(sha).equals(a.getSha256())) {
                throw fail(CHECKSUM_MISMATCH, a.getName(), "SHA-256 mismatch: the index says "
                        + HexFormat.of().formatHex(a.getSha256().toByteArray()) + ", the content hashes to "
                        + HexFormat.of().formatHex(sha) + " (the entry is corrupted or was replaced)");
            }
            content.put(a.getName(), bytes);
            verifiedSha.put(a.getName(), a.getSha256());
        }
        for (ZipDirectory.Entry e : dir.entries()) {
            if (!e.name().equals(ArchiveLayout.MODEL) && !content.containsKey(e.name())) {
                throw fail(MALFORMED, e.name(), "entry is not listed in the artifact index of kiln/model.pb, so its "
                        + "content cannot be verified");
            }
        }
        if (!content.containsKey(ArchiveLayout.VERSION)) {
            throw fail(MALFORMED, ArchiveLayout.MODEL, "the artifact index does not list kiln/version");
        }
        return content;
    }

    /** The entry's kind; a kind this reader does not know (from a newer minor) is OTHER: verified, then ignored. */
    private static ArchiveEntry.Kind kindOf(ArtifactEntry a) {
        return switch (a.getKind()) {
            case VERSION -> ArchiveEntry.Kind.VERSION;
            case GRAPH_TEXT -> ArchiveEntry.Kind.GRAPH_TEXT;
            case TENSOR_DATA -> ArchiveEntry.Kind.TENSOR_DATA;
            case JVM_CLASS -> ArchiveEntry.Kind.JVM_CLASS;
            case PTX -> ArchiveEntry.Kind.PTX;
            case EXTRA -> ArchiveEntry.Kind.EXTRA;
            case ARTIFACT_KIND_UNSPECIFIED, UNRECOGNIZED -> ArchiveEntry.Kind.OTHER;
        };
    }

    // ---- tensors ----

    private RawTensor tensor(TensorInfo t, Map<String, ByteBuffer> content, String role) throws ArchiveException {
        String what = role + " '" + t.getName() + "'";
        ByteBuffer bytes = content.get(t.getEntry());
        if (bytes == null) {
            throw fail(MISSING_ENTRY, t.getEntry(), what + " refers to this entry, which is not in the artifact index");
        }
        var dtype = decode(() -> ProtoTypes.dtype(t.getDtype(), what));
        long[] shape = decode(() -> ProtoTypes.shape(t.getShapeList(), what));
        long expected = build(() -> RawTensor.byteLength(dtype, shape));
        if (t.getByteLength() != expected || bytes.remaining() != expected) {
            throw fail(CHECKSUM_MISMATCH, t.getEntry(), what + " is " + dtype.irName() + java.util.Arrays.toString(shape)
                    + " = " + expected + " bytes, but the model says " + t.getByteLength() + " and the entry has "
                    + bytes.remaining());
        }
        // The entry's content already hashed to the index's SHA-256 (verifyIndex), so comparing the tensor's
        // recorded hash with that one checks the same thing as hashing the bytes again, without reading them.
        if (!t.getSha256().equals(verifiedSha.get(t.getEntry()))) {
            throw fail(CHECKSUM_MISMATCH, t.getEntry(), what + ": SHA-256 differs from the one recorded for the tensor");
        }
        try {
            return RawTensor.wrap(dtype, shape, bytes);
        } catch (IllegalArgumentException e) {
            throw fail(MALFORMED, t.getEntry(), what + ": " + e.getMessage());
        }
    }

    private List<Signature.Port> ports(List<NamedType> types, String what) {
        List<Signature.Port> out = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            NamedType n = types.get(i);
            out.add(new Signature.Port(n.getName(), ProtoTypes.tensorType(n.getType(),
                    "signature " + what + " " + i + " '" + n.getName() + "'")));
        }
        return out;
    }

    // ---- entry access ----

    private ZipDirectory.Entry require(String name) throws ArchiveException {
        ZipDirectory.Entry e = dir.get(name);
        if (e == null) throw fail(MISSING_ENTRY, name, "required entry is missing");
        return e;
    }

    /** The entry's bytes: mapped when large, else read onto the heap. */
    private ByteBuffer readEntry(ZipDirectory.Entry e) throws IOException {
        if (e.size() > Integer.MAX_VALUE) {
            throw fail(MALFORMED, e.name(), "entry has " + e.size() + " bytes; entries are limited to 2 GiB");
        }
        if (e.size() >= MAP_THRESHOLD) {
            return ch.map(FileChannel.MapMode.READ_ONLY, e.dataOffset(), e.size());
        }
        return ZipDirectory.readAt(ch, e.dataOffset(), (int) e.size(), file, e.name());
    }

    private String text(String entry, ByteBuffer bytes) throws ArchiveException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(bytes.duplicate()).toString();
        } catch (CharacterCodingException ex) {
            throw fail(MALFORMED, entry, "entry is not UTF-8 text");
        }
    }

    private static byte[] array(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private String nameOf(String name, ArchiveEntry e) {
        if (name == null) {
            throw new IllegalArgumentException("entry name does not fit the layout for " + e.kind() + " entries");
        }
        return name;
    }

    private static String abbreviate(String s) {
        String t = s.replace("\n", "\\n");
        return t.length() > 40 ? t.substring(0, 40) + "..." : t;
    }

    private ArchiveException fail(ArchiveException.Problem p, String entry, String detail) {
        return new ArchiveException(p, file, entry, detail);
    }

    // ---- turning decoder failures into archive errors about kiln/model.pb ----

    private interface Step<T> {
        T get();
    }

    private interface Action {
        void run();
    }

    /** Runs a decoding step; its {@link DecodeException} becomes an error about {@code kiln/model.pb}. */
    private <T> T decode(Step<T> step) throws ArchiveException {
        try {
            return step.get();
        } catch (DecodeException e) {
            throw new ArchiveException(e.problem(), file, ArchiveLayout.MODEL, e.getMessage());
        }
    }

    /** Runs a building step; an inconsistency it finds ({@link IllegalArgumentException}, IR errors) is MALFORMED. */
    private <T> T build(Step<T> step) throws ArchiveException {
        try {
            return decode(step);
        } catch (IllegalArgumentException | IrException e) {
            throw new ArchiveException(MALFORMED, file, ArchiveLayout.MODEL, e.getMessage());
        }
    }

    private void build(Action action) throws ArchiveException {
        build(() -> {
            action.run();
            return null;
        });
    }
}
