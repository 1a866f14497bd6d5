package dev.kiln.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.DType;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.serialization.proto.Model;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format 1.1's compiled-code sections: the optimised graph (with fusion nodes and its own constants), class and PTX
 * artifacts with launch metadata and (1.2) a class's scalar twin, round-trip exactly; a missing or tampered twin is
 * refused; tensors with identical bytes are stored once; sections that
 * name missing entries or non-fusion nodes are refused; fusion nodes are refused in the model graph; a 1.0 archive
 * (no section) still reads.
 */
class CompiledCodeArchiveTest {
    @TempDir
    Path dir;

    static final String MODEL = """
            graph(%x : f32[B, 4]):
              %w : f32[4] = param["w"]
              %1 : f32[B, 4] = aten::mul(%x, %w)
              %2 : f32[B, 4] = aten::relu(%1)
              return (%2)
            """;

    /** The optimised form: the parameter frozen into the constant table (same bytes as the parameter), one group. */
    static final String OPTIMISED = """
            graph(%x : f32[B, 4]):
              %w : f32[4] = const(@w)
              %1 : f32[B, 4] = kiln::fused(%x, %w)
                block(%a : f32[B, 4], %b : f32[4]):
                  %2 : f32[B, 4] = aten::mul(%a, %b)
                  %3 : f32[B, 4] = aten::relu(%2)
                  return (%3)
              return (%1)
            """;

    static final float[] W = {1f, -2f, 0.5f, Float.NaN};
    static final byte[] CLASS = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61};
    /** Stands for the scalar twin (format 1.2); other bytes than {@link #CLASS}, so a separate entry. */
    static final byte[] TWIN = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 1};

    static KilnArchive archive() {
        TensorData w = TensorData.of(DType.FLOAT32, new long[] {4}, W);
        Graph optimised = IrParser.parse(OPTIMISED, Map.of("w", w));
        CompiledCode jvm = new CompiledCode("jvm", 3, Map.of("verify", "true"), optimised,
                List.of(CompiledCode.Artifact.classFile("dev.kiln.gen.G1", "dev.kiln.gen.G1S")));
        CompiledCode.PtxLaunch launch = new CompiledCode.PtxLaunch(1, 256, false, List.of(0, 1),
                List.of(SymExpr.symbol("B")));
        CompiledCode ptx = new CompiledCode("ptx", 1, Map.of(), optimised, List.of(CompiledCode.Artifact.ptx("k0", launch)));
        return KilnArchive.builder(IrParser.parse(MODEL)).parameter("w", w)
                .classFile("dev.kiln.gen.G1", CLASS).classFile("dev.kiln.gen.G1S", TWIN).ptx("k0", ".version 8.0\n")
                .compiledCode(jvm).compiledCode(ptx).build();
    }

    @Test
    void compiledCodeRoundTripsAndSharesIdenticalTensorBytes() throws Exception {
        Path file = dir.resolve("c.kiln");
        List<ArchiveEntry> index = ArchiveWriter.write(archive(), file);
        // The frozen constant has the parameter's bytes: one data entry serves the parameter and both sections.
        assertEquals(1, index.stream().filter(e -> e.kind() == ArchiveEntry.Kind.TENSOR_DATA).count(), index.toString());

        KilnArchive a = ArchiveReader.read(file);
        assertEquals(new FormatVersion(1, 2), a.formatVersion());
        assertEquals(List.of("jvm", "ptx"), a.compiledCode().stream().map(CompiledCode::backend).toList());
        CompiledCode jvm = a.compiledCode("jvm").orElseThrow();
        assertEquals(3, jvm.abiVersion());
        assertEquals(Map.of("verify", "true"), jvm.compileOptions());
        assertEquals(IrPrinter.print(IrParser.parse(OPTIMISED, Map.of("w", TensorData.of(DType.FLOAT32, new long[] {4},
                W)))), IrPrinter.print(jvm.graph()));
        assertTrue(jvm.graph().topBlock().nodes().get(1).kind() instanceof NodeKind.Fused);
        float[] got = (float[]) jvm.graph().constant("w").array();
        assertArrayEquals(W, got);
        assertEquals(List.of(new CompiledCode.Artifact("dev.kiln.gen.G1", "kiln/jvm/dev/kiln/gen/G1.class", null,
                "dev.kiln.gen.G1S")), jvm.artifacts());
        assertEquals("kiln/jvm/dev/kiln/gen/G1S.class", jvm.artifacts().get(0).scalarEntry());
        assertArrayEquals(CLASS, a.classFile("dev.kiln.gen.G1"));
        assertArrayEquals(TWIN, a.classFile("dev.kiln.gen.G1S"));

        CompiledCode ptx = a.compiledCode("ptx").orElseThrow();
        CompiledCode.Artifact k = ptx.artifacts().get(0);
        assertEquals("kiln/ptx/k0.ptx", k.entry());
        assertEquals(new CompiledCode.PtxLaunch(1, 256, false, List.of(0, 1), List.of(SymExpr.symbol("B"))), k.launch());
        assertEquals(".version 8.0\n", a.ptx().get("k0"));
        assertTrue(a.compiledCode("cuda").isEmpty());
    }

    @Test
    void aVersion10ArchiveWithoutCompiledCodeStillReads() throws Exception {
        Path file = dir.resolve("old.kiln");
        ArchiveWriter.write(KilnArchive.builder(IrParser.parse(MODEL))
                .parameter("w", TensorData.of(DType.FLOAT32, new long[] {4}, W)).build(), file);
        var entries = Surgery.entries(file);
        entries.put("kiln/version", "1.0\n".getBytes(StandardCharsets.US_ASCII));
        Model m = Model.parseFrom(entries.get("kiln/model.pb"));
        Model.Builder b = m.toBuilder();
        b.setFormatVersion(b.getFormatVersion().toBuilder().setMinor(0));
        for (int i = 0; i < b.getArtifactsCount(); i++) {
            if (b.getArtifacts(i).getName().equals("kiln/version")) {
                b.setArtifacts(i, b.getArtifacts(i).toBuilder().setSha256(com.google.protobuf.ByteString.copyFrom(
                        java.security.MessageDigest.getInstance("SHA-256").digest(entries.get("kiln/version")))));
            }
        }
        entries.put("kiln/model.pb", b.build().toByteArray());
        Surgery.write(file, entries);
        KilnArchive a = ArchiveReader.read(file);
        assertEquals(new FormatVersion(1, 0), a.formatVersion());
        assertTrue(a.compiledCode().isEmpty());
    }

    @Test
    void aSectionNamingAMissingClassIsRefused() {
        Graph optimised = IrParser.parse(OPTIMISED, Map.of("w", TensorData.of(DType.FLOAT32, new long[] {4}, W)));
        var b = KilnArchive.builder(IrParser.parse(MODEL)).parameter("w", TensorData.of(DType.FLOAT32, new long[] {4}, W))
                .compiledCode(new CompiledCode("jvm", 1, Map.of(), optimised,
                        List.of(CompiledCode.Artifact.classFile("dev.kiln.gen.Missing"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("compiled code for backend 'jvm': artifact 'dev.kiln.gen.Missing' names "
                + "entry kiln/jvm/dev/kiln/gen/Missing.class, which is not"), e.getMessage());
    }

    @Test
    void aSectionNamingAMissingScalarTwinIsRefused() {
        Graph optimised = IrParser.parse(OPTIMISED, Map.of("w", TensorData.of(DType.FLOAT32, new long[] {4}, W)));
        var b = KilnArchive.builder(IrParser.parse(MODEL)).parameter("w", TensorData.of(DType.FLOAT32, new long[] {4}, W))
                .classFile("dev.kiln.gen.G1", CLASS).compiledCode(new CompiledCode("jvm", 1, Map.of(), optimised,
                        List.of(CompiledCode.Artifact.classFile("dev.kiln.gen.G1", "dev.kiln.gen.Gone"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("artifact 'dev.kiln.gen.G1' names the scalar twin class 'dev.kiln.gen.Gone', "
                + "which is not a class entry of the archive (kiln/jvm/dev/kiln/gen/Gone.class)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CompiledCode.Artifact.classFile("dev.kiln.gen.G1",
                "dev.kiln.gen.G1"), "a class cannot be its own twin");
    }

    @Test
    void aTamperedScalarTwinFailsItsChecksum() throws Exception {
        Path file = dir.resolve("c.kiln");
        ArchiveWriter.write(archive(), file);
        Surgery.flipByte(file, Surgery.dataOffset(file, "kiln/jvm/dev/kiln/gen/G1S.class") + 2);
        ArchiveException e = assertThrows(ArchiveException.class, () -> ArchiveReader.read(file));
        assertEquals(ArchiveException.Problem.CHECKSUM_MISMATCH, e.problem());
        assertEquals("kiln/jvm/dev/kiln/gen/G1S.class", e.entry());
    }

    @Test
    void aLaunchForANodeThatIsNoFusionGroupIsRefused() {
        Graph optimised = IrParser.parse(OPTIMISED, Map.of("w", TensorData.of(DType.FLOAT32, new long[] {4}, W)));
        var launch = new CompiledCode.PtxLaunch(0, 256, false, List.of(0), List.of());
        var b = KilnArchive.builder(IrParser.parse(MODEL)).parameter("w", TensorData.of(DType.FLOAT32, new long[] {4}, W))
                .ptx("k0", "x").compiledCode(new CompiledCode("ptx", 1, Map.of(), optimised,
                        List.of(CompiledCode.Artifact.ptx("k0", launch))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("launches for node 0 of the graph's top block, which is not a fusion node"),
                e.getMessage());
    }

    @Test
    void aFusionNodeInTheModelGraphIsRefusedByWriterAndReader() throws Exception {
        Graph optimised = IrParser.parse(OPTIMISED, Map.of("w", TensorData.of(DType.FLOAT32, new long[] {4}, W)));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ArchiveWriter.write(KilnArchive.builder(optimised).build(), dir.resolve("x.kiln")));
        assertTrue(e.getMessage().contains("kiln::fused cannot be archived"), e.getMessage());

        // A hand-made archive whose model graph is the section's graph: MALFORMED, naming the node.
        Path file = dir.resolve("c.kiln");
        ArchiveWriter.write(archive(), file);
        Surgery.editModel(file, m -> {
            m.setGraph(m.getGraph().toBuilder().setTop(m.getCompiledCode(0).getGraph().getTop())
                    .clearConstants().addAllConstants(m.getCompiledCode(0).getGraph().getConstantsList()));
            return m.clearParameters();
        });
        ArchiveException ex = assertThrows(ArchiveException.class, () -> ArchiveReader.read(file));
        assertEquals(ArchiveException.Problem.MALFORMED, ex.problem());
        assertTrue(ex.getMessage().contains("block top, node 1 (%1): a fusion node may appear only in a compiled-code "
                + "graph"), ex.getMessage());
    }

    @Test
    void aTamperedClassEntryFailsItsChecksum() throws Exception {
        Path file = dir.resolve("c.kiln");
        ArchiveWriter.write(archive(), file);
        Surgery.flipByte(file, Surgery.dataOffset(file, "kiln/jvm/dev/kiln/gen/G1.class") + 2);
        ArchiveException e = assertThrows(ArchiveException.class, () -> ArchiveReader.read(file));
        assertEquals(ArchiveException.Problem.CHECKSUM_MISMATCH, e.problem());
        assertEquals("kiln/jvm/dev/kiln/gen/G1.class", e.entry());
    }
}
