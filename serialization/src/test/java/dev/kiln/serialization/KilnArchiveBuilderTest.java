package dev.kiln.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.DType;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.type.TensorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** An archive is checked as a whole when built, so that nothing inconsistent is ever written. */
class KilnArchiveBuilderTest {
    @TempDir
    Path dir;

    private static void fails(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) assertTrue(ex.getMessage().contains(f), "'" + f + "' not in: " + ex.getMessage());
    }

    private static KilnArchive.Builder myNetWithout(String skip) {
        KilnArchive.Builder b = KilnArchive.builder(Samples.myNet());
        Map<String, long[]> shapes = Map.of("conv.weight", new long[] {16, 1, 3, 3}, "conv.bias", new long[] {16},
                "fc.weight", new long[] {10, 2704}, "fc.bias", new long[] {10});
        for (var e : shapes.entrySet()) if (!e.getKey().equals(skip)) b.parameter(e.getKey(), Samples.floats(e.getValue()));
        return b;
    }

    @Test
    void everyParamNodeNeedsAParameterOfItsType() {
        fails(() -> myNetWithout("fc.bias").build(), "param[\"fc.bias\"] has no parameter tensor");
        fails(() -> myNetWithout("fc.bias").parameter("fc.bias", Samples.floats(11)).build(),
                "parameter 'fc.bias' is f32[11] but graph node %fc.bias declares f32[10]");
        fails(() -> myNetWithout("fc.bias").parameter("fc.bias",
                TensorData.of(DType.FLOAT64, new long[] {10}, new double[10])).build(), "is f64[10]", "declares f32[10]");
        fails(() -> myNetWithout(null).parameter("fc.bias", Samples.floats(10)), "parameter 'fc.bias' given twice");
    }

    @Test
    void signatureMustFitTheGraph() {
        var g = Samples.myNet();
        fails(() -> Signature.named(g, List.of("x", "y"), List.of("a", "b")), "2 input names for 1 graph inputs");
        fails(() -> Signature.named(g, List.of("x"), List.of("a", "a")), "duplicate signature output name 'a'");
        Signature wrong = new Signature(List.of(new Signature.Port("x", TensorType.of(DType.FLOAT32, 1, 1, 28, 28))),
                List.of());
        fails(() -> myNetWithout(null).signature(wrong).build(),
                "signature input 0 'x' is f32[1, 1, 28, 28] but graph input 0 %x is f32[B, 1, 28, 28]");
    }

    @Test
    void artifactNamesCannotEscapeTheirFolder() {
        var b = myNetWithout(null);
        fails(() -> b.extra("../evil", new byte[0]), "bad extra file name '../evil'");
        fails(() -> b.extra("/etc/passwd", new byte[0]), "bad extra file name");
        fails(() -> b.extra("a\\b", new byte[0]), "bad extra file name");
        fails(() -> b.extra("a//b", new byte[0]), "bad extra file name");
        fails(() -> b.classFile("dev/kiln/Gen", new byte[0]), "bad class name 'dev/kiln/Gen'");
        fails(() -> b.classFile("dev..Gen", new byte[0]), "bad class name");
        fails(() -> b.ptx("kern-1", ""), "bad PTX kernel name 'kern-1'");
        b.extra("notes/readme.md", "ok");
        fails(() -> b.extra("notes/readme.md", "again"), "extra file 'notes/readme.md' given twice");
    }

    @Test
    void defaultsAreNamedPortsAndCurrentMetadata() {
        KilnArchive a = KilnArchive.builder(IrParser.parse("""
                graph(%a : f32[N], %b : f32[N]):
                  %1 : f32[N] = aten::add(%a, %b)
                  return (%1, %a)
                """)).build();
        assertEquals("[input0 : f32[N], input1 : f32[N]]", a.signature().inputs().toString());
        assertEquals("[output0 : f32[N], output1 : f32[N]]", a.signature().outputs().toString());
        assertEquals(ArchiveMetadata.KILN_VERSION, a.metadata().kilnVersion());
        assertTrue(ArchiveMetadata.KILN_VERSION.matches("\\d+\\.\\d+\\.\\d+.*"), ArchiveMetadata.KILN_VERSION);
    }

    @Test
    void manyEntriesUseTheZip64DirectoryAndStillRoundTrip() throws Exception {
        // More than 65535 entries forces ZIP64 end records; the reader's own directory parser must follow them.
        KilnArchive.Builder b = myNetWithout(null);
        int n = 70_000;
        for (int i = 0; i < n; i++) b.extra("f" + i, new byte[] {(byte) i});
        Path file = dir.resolve("many.kiln");
        ArchiveWriter.write(b.build(), file);
        KilnArchive back = ArchiveReader.read(file);
        assertEquals(n, back.extraNames().size());
        assertEquals((byte) 69_999, back.extra("f69999")[0]);
        byte[] all = Files.readAllBytes(file);
        int eocd = all.length - 22;
        assertEquals(0x06054b50, java.nio.ByteBuffer.wrap(all, eocd, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(0xFFFF, java.nio.ByteBuffer.wrap(all, eocd + 10, 2).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getShort() & 0xFFFF, "entry count deferred to the ZIP64 record");
    }
}
