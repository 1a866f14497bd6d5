package dev.kiln.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.DType;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrPrinter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save → load gives back the same model; the bytes on disk are what the format says. */
class ArchiveRoundTripTest {
    @TempDir
    Path dir;

    private KilnArchive roundTrip(KilnArchive a) throws Exception {
        Path file = dir.resolve("model.kiln");
        List<ArchiveEntry> written = ArchiveWriter.write(a, file);
        KilnArchive b = ArchiveReader.read(file);
        assertEquals(written, b.index());
        assertEquals(IrPrinter.print(a.graph()), IrPrinter.print(b.graph()));
        assertEquals(a.constants(), b.constants());
        assertEquals(a.parameters(), b.parameters());
        assertEquals(a.signature(), b.signature());
        assertEquals(a.metadata(), b.metadata());
        assertEquals(FormatVersion.CURRENT, b.formatVersion());
        // The human-readable copy is the canonical text of the very graph that was stored.
        assertEquals(IrPrinter.print(a.graph()),
                new String(Surgery.entries(file).get("kiln/code/graph.txt"), StandardCharsets.UTF_8));
        return b;
    }

    @Test
    void myNetWithParametersOfEveryDtypeAndArtifacts() throws Exception {
        KilnArchive a = Samples.myNetArchive();
        KilnArchive b = roundTrip(a);
        assertEquals(List.of("conv.weight", "conv.bias", "fc.weight", "fc.bias", "buf.f64", "buf.i32", "buf.i64",
                "buf.bool", "buf.empty", "buf.large"), List.copyOf(b.parameters().keySet()));
        for (String k : a.parameters().keySet()) {
            assertEquals(a.parameters().get(k).toTensorData(), b.parameters().get(k).toTensorData(), k);
        }
        assertEquals("x", b.signature().inputs().get(0).name());
        assertEquals("f32[B, 1, 28, 28]", b.signature().inputs().get(0).type().toString());
        assertEquals(List.of("logits", "argmax"), b.signature().outputs().stream().map(Signature.Port::name).toList());
        assertEquals("i64[B]", b.signature().outputs().get(1).type().toString());
        assertEquals("dev.kiln.samples.MyNet", b.metadata().modelClass());
        assertEquals(1_700_000_000_123L, b.metadata().created().toEpochMilli());
        assertEquals(Map.of("backend", "jvm", "passes", "fuse,dce"), b.metadata().compileOptions());
        assertEquals(List.of("dev.kiln.gen.MyNet_0"), b.classNames());
        assertArrayEquals(a.classFile("dev.kiln.gen.MyNet_0"), b.classFile("dev.kiln.gen.MyNet_0"));
        assertEquals(a.ptx(), b.ptx());
        assertEquals(List.of("labels.txt", "tokenizer/vocab.json"), b.extraNames());
        assertEquals("zero\none\n", new String(b.extra("labels.txt"), StandardCharsets.UTF_8));
        // Large tensors come back as a read-only mapping of the file (direct), small ones as heap buffers.
        assertTrue(b.parameters().get("buf.large").data().isDirect());
        assertTrue(b.parameters().get("buf.large").data().isReadOnly());
        assertFalse(b.parameters().get("fc.bias").data().isDirect());
    }

    @Test
    void attentionWithSplitAndStringAttributes() throws Exception {
        Graph g = Samples.attention();
        KilnArchive a = KilnArchive.builder(g)
                .parameter("attn.qkv.weight", Samples.floats(192, 64))
                .parameter("attn.qkv.bias", Samples.floats(192))
                .parameter("attn.proj.weight", Samples.floats(64, 64))
                .build();
        KilnArchive b = roundTrip(a);
        assertEquals(List.of("input0", "input1"), b.signature().inputs().stream().map(Signature.Port::name).toList());
        assertEquals(List.of("output0"), b.signature().outputs().stream().map(Signature.Port::name).toList());
    }

    @Test
    void condBlocksInlineAndTableConstantsOfEveryDtype() throws Exception {
        KilnArchive a = KilnArchive.builder(Samples.controlFlow()).build();
        KilnArchive b = roundTrip(a);
        assertEquals(Samples.controlFlowConstants(), b.constants());
        var cond = b.graph().topBlock().nodes().get(0);
        assertInstanceOf(NodeKind.Cond.class, cond.kind());
        assertEquals(2, cond.blocks().size());
        assertEquals("Head.java", cond.source().file());
        assertEquals("f32[floordiv(B+1, 2), 4]", b.graph().outputs().get(3).type().toString());
    }

    /** What the tracer emits: guards of each value kind, a scan loop, symbolic SHAPE attributes with -1. */
    static final String TRACED = """
            graph(%x : f32[B, 4, 3], %h0 : f32[B, 3]):
              %1 : f32[] = aten::sum(%x)
              %2 : f64[]{wrapped} = const(0.0)
              %3 : bool[] = aten::gt(%1, %2)   # @ Model.java:12
              kiln::guard(%3, expected=true)   # @ Model.java:12
              %5, %6 : f32[B, 3], f32[B, 4, 3] = kiln::scan(%x, %h0, dim=1)   # rnn @ Model.java:14
                block(%xt : f32[B, 3], %h : f32[B, 3]):
                  %7 : f32[B, 3] = aten::add(%xt, %h)
                  %8 : f32[B, 3] = aten::tanh(%7)
                  return (%8)
              %9 : f32[B, 12] = aten::view(%6, size=[B, -1])
              %10 : f32[B*2, 6] = aten::reshape(%9, shape=[B*2, -1])
              return (%5, %10)
            """;

    @Test
    void tracedGraphsWithGuardsScanAndSymbolicShapeAttributes() throws Exception {
        String text = TRACED.replace("kiln::guard(%3, expected=true)", "kiln::guard(%3, expected=true)\n"
                + "  %11 : f32[] = aten::mean(%x)\n"
                + "  kiln::guard(%11, expected=0.25)\n"
                + "  %12 : i64[] = aten::sum(%3)\n"
                + "  kiln::guard(%12, expected=1)");
        Graph g = dev.kiln.ir.text.IrParser.parse(text);
        KilnArchive b = roundTrip(KilnArchive.builder(g).build());
        List<Object> expected = new java.util.ArrayList<>();
        for (var n : b.graph().topBlock().nodes()) {
            if (n.kind() instanceof NodeKind.Guard guard) expected.add(guard.expected());
        }
        assertEquals(List.of(true, 0.25, 1L), expected);
        var scan = b.graph().topBlock().nodes().stream().filter(n -> n.kind() instanceof NodeKind.Scan).findFirst()
                .orElseThrow();
        assertEquals(1L, ((NodeKind.Scan) scan.kind()).dim());
        assertEquals(1, scan.blocks().size());
        String printed = IrPrinter.print(b.graph());
        assertTrue(printed.contains("aten::view(%6, size=[B, -1])"), printed);
        assertTrue(printed.contains("aten::reshape(%9, shape=[B*2, -1])"), printed);
    }

    @Test
    void entriesAreByteExactAndMatchTheirChecksums() throws Exception {
        Path file = dir.resolve("m.kiln");
        List<ArchiveEntry> index = ArchiveWriter.write(Samples.myNetArchive(), file);
        Map<String, byte[]> entries = Surgery.entries(file);
        assertEquals(List.of("kiln/version", "kiln/model.pb", "kiln/code/graph.txt", "kiln/data/0"),
                List.copyOf(entries.keySet()).subList(0, 4));
        assertEquals(index.size() + 1, entries.size()); // all but model.pb are indexed
        for (ArchiveEntry e : index) {
            byte[] bytes = entries.get(e.name());
            assertEquals(e.byteLength(), bytes.length, e.name());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), e.sha256(), e.name());
        }
        assertEquals("1.2\n", new String(entries.get("kiln/version"), StandardCharsets.US_ASCII));
        // SHA-256("1.2\n"), computed independently: printf '1.2\n' | sha256sum
        assertEquals("44804414f85bef9588f60086587fd6e8871b39123c831ec129624f4d81a95fea", index.get(0).sha256());
        // kiln/data/0 is conv.weight: raw little-endian float32, first element NaN (0x7fc00000), then -0.0.
        ByteBuffer w = ByteBuffer.wrap(entries.get("kiln/data/0")).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(16 * 9 * 4, w.capacity());
        assertEquals(0x7fc00000, w.getInt(0));
        assertEquals(0x80000000, w.getInt(4));
        float[] expected = (float[]) Samples.floats(16, 1, 3, 3).array();
        for (int i = 0; i < expected.length; i++) assertEquals(Float.floatToRawIntBits(expected[i]), w.getInt(4 * i));
        // bool is one byte per element; i64 eight bytes little-endian.
        int boolEntry = 7;
        assertArrayEquals(new byte[] {1, 0, 1}, entries.get("kiln/data/" + boolEntry));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) 0x80}, entries.get("kiln/data/6"));
        assertEquals(0, entries.get("kiln/data/8").length); // the empty tensor
    }

    @Test
    void savingTheSameArchiveTwiceGivesTheSameBytes() throws Exception {
        KilnArchive a = Samples.myNetArchive();
        ArchiveWriter.write(a, dir.resolve("a.kiln"));
        ArchiveWriter.write(a, dir.resolve("b.kiln"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.kiln")), Files.readAllBytes(dir.resolve("b.kiln")));
    }

    @Test
    void everyEntryIs64ByteAlignedAndStored() throws Exception {
        Path file = dir.resolve("m.kiln");
        ArchiveWriter.write(Samples.myNetArchive(), file);
        byte[] zip = Files.readAllBytes(file);
        Map<String, long[]> headers = LocalHeaders.scan(zip);
        assertEquals(Surgery.entries(file).keySet(), headers.keySet());
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            ZipDirectory d = ZipDirectory.read(ch, file);
            for (Map.Entry<String, long[]> h : headers.entrySet()) {
                long offset = h.getValue()[0];
                assertEquals(0, offset % 64, h.getKey() + " data at " + offset);
                assertEquals(offset, d.get(h.getKey()).dataOffset(), h.getKey());
            }
        }
    }

    @Test
    void readerAcceptsANewerMinorVersionWithFieldsItDoesNotKnow() throws Exception {
        Path file = dir.resolve("m.kiln");
        ArchiveWriter.write(Samples.myNetArchive(), file);
        Map<String, byte[]> entries = Surgery.entries(file);
        var m = dev.kiln.serialization.proto.Model.parseFrom(entries.get("kiln/model.pb")).toBuilder();
        m.setFormatVersion(m.getFormatVersion().toBuilder().setMinor(7));
        byte[] version = "1.7\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < m.getArtifactsCount(); i++) {
            if (m.getArtifacts(i).getName().equals("kiln/version")) {
                m.setArtifacts(i, m.getArtifacts(i).toBuilder().setByteLength(version.length)
                        .setSha256(com.google.protobuf.ByteString.copyFrom(sha256(version))));
            }
        }
        // An optional entry of a kind that 1.7 introduced (kind number 42): indexed, so verified, then ignored.
        byte[] future = "future".getBytes(StandardCharsets.US_ASCII);
        entries.put("kiln/future/hints.bin", future);
        m.addArtifacts(dev.kiln.serialization.proto.ArtifactEntry.newBuilder().setName("kiln/future/hints.bin")
                .setKindValue(42).setByteLength(future.length).setSha256(com.google.protobuf.ByteString.copyFrom(sha256(future))));
        entries.put("kiln/version", version);
        // A field a 1.7 writer might add: number 99, a varint (42), unknown to this reader. A message's fields may
        // come in any order, so appending its encoding (tag 99 << 3 | 0 = 792, two varint bytes) adds the field.
        byte[] model = m.build().toByteArray();
        byte[] withField = java.util.Arrays.copyOf(model, model.length + 3);
        withField[model.length] = (byte) 0x98; // 792 = 0b110_0011000: low 7 bits 0x18 with the continuation bit
        withField[model.length + 1] = 0x06;    // 792 >> 7
        withField[model.length + 2] = 42;
        assertEquals(model.length + 3, dev.kiln.serialization.proto.Model.parseFrom(withField).toByteArray().length,
                "field 99 is kept as an unknown field, so it is really in the message");
        entries.put("kiln/model.pb", withField);
        Surgery.write(file, entries);
        KilnArchive b = ArchiveReader.read(file);
        assertEquals(new FormatVersion(1, 7), b.formatVersion());
        assertEquals(ArchiveEntry.Kind.OTHER, b.index().get(b.index().size() - 1).kind());
        assertEquals(IrPrinter.print(Samples.myNet()), IrPrinter.print(b.graph()));
    }

    @Test
    void rawTensorConvertsEveryDtype() {
        for (DType d : DType.values()) {
            Object arr = switch (d) {
                case BOOL -> new boolean[] {true, false};
                case INT32 -> new int[] {1, -2};
                case INT64 -> new long[] {3, -4};
                case FLOAT32 -> new float[] {0.5f, Float.NaN};
                case FLOAT64 -> new double[] {0.25, Double.NEGATIVE_INFINITY};
            };
            TensorData t = TensorData.of(d, new long[] {2}, arr);
            RawTensor r = RawTensor.of(t);
            assertEquals(2L * d.itemSize(), r.byteLength());
            assertEquals(t, r.toTensorData());
            assertEquals(r, RawTensor.wrap(d, new long[] {2}, r.data()));
            assertFalse(r.data().isDirect());
        }
    }

    private static byte[] sha256(byte[] b) throws Exception { return MessageDigest.getInstance("SHA-256").digest(b); }
}
