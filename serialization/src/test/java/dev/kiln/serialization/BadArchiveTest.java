package dev.kiln.serialization;

import static dev.kiln.serialization.ArchiveException.Problem.CHECKSUM_MISMATCH;
import static dev.kiln.serialization.ArchiveException.Problem.MALFORMED;
import static dev.kiln.serialization.ArchiveException.Problem.MISSING_ENTRY;
import static dev.kiln.serialization.ArchiveException.Problem.TRUNCATED;
import static dev.kiln.serialization.ArchiveException.Problem.UNKNOWN_OP;
import static dev.kiln.serialization.ArchiveException.Problem.UNSUPPORTED_VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.kiln.serialization.proto.Model;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of damaged or foreign archive gets its own problem class and a message naming the entry. */
class BadArchiveTest {
    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void save() throws Exception {
        file = dir.resolve("model.kiln");
        ArchiveWriter.write(Samples.myNetArchive(), file);
    }

    private ArchiveException reject(ArchiveException.Problem problem, String entry, String... fragments) {
        ArchiveException e = assertThrows(ArchiveException.class, () -> ArchiveReader.read(file));
        assertEquals(problem, e.problem(), e.getMessage());
        assertEquals(entry, e.entry(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": " + (entry == null ? "" : entry + ": ")), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        return e;
    }

    // ---- truncation ----

    @Test
    void truncatedToHalf() throws Exception {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length / 2));
        reject(TRUNCATED, null, "no zip end-of-central-directory record", "truncated");
    }

    @Test
    void lastByteMissing() throws Exception {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 1));
        reject(TRUNCATED, null, "truncated");
    }

    @Test
    void emptyFileAndNotAZip() throws Exception {
        Files.write(file, new byte[0]);
        reject(TRUNCATED, null, "not a zip archive");
        Files.writeString(file, "graph(%x : f32[4]):\n  return (%x)\n");
        reject(TRUNCATED, null, "not a zip archive");
    }

    // ---- corruption ----

    @Test
    void flippedByteInTensorDataNamesTheEntry() throws Exception {
        Surgery.flipByte(file, Surgery.dataOffset(file, "kiln/data/2") + 100);
        reject(CHECKSUM_MISMATCH, "kiln/data/2", "SHA-256 mismatch", "the index says");
    }

    @Test
    void flippedByteInMappedLargeTensor() throws Exception {
        Surgery.flipByte(file, Surgery.dataOffset(file, "kiln/data/9") + 1_000_000);
        reject(CHECKSUM_MISMATCH, "kiln/data/9", "SHA-256 mismatch");
    }

    @Test
    void flippedByteInGraphTextAndExtras() throws Exception {
        byte[] clean = Files.readAllBytes(file);
        Surgery.flipByte(file, Surgery.dataOffset(file, "kiln/code/graph.txt"));
        reject(CHECKSUM_MISMATCH, "kiln/code/graph.txt", "SHA-256 mismatch");
        Files.write(file, clean);
        Surgery.flipByte(file, Surgery.dataOffset(file, "kiln/extra/labels.txt") + 2);
        reject(CHECKSUM_MISMATCH, "kiln/extra/labels.txt", "SHA-256 mismatch");
    }

    @Test
    void flippedByteInModelDescription() throws Exception {
        Surgery.flipByte(file, Surgery.dataOffset(file, "kiln/model.pb") + 10);
        reject(CHECKSUM_MISMATCH, "kiln/model.pb", "CRC-32 mismatch");
    }

    @Test
    void replacedEntryWithAValidZipButWrongContent() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        byte[] w = entries.get("kiln/data/1");
        w[0] ^= 1; // one bit of conv.bias, rewritten with a correct zip CRC: only the index can catch it
        Surgery.write(file, entries);
        reject(CHECKSUM_MISMATCH, "kiln/data/1", "SHA-256 mismatch");
    }

    @Test
    void entryOfTheWrongLength() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        entries.put("kiln/data/1", Arrays.copyOf(entries.get("kiln/data/1"), 60));
        Surgery.write(file, entries);
        reject(CHECKSUM_MISMATCH, "kiln/data/1", "length mismatch", "the index says 64 bytes", "has 60");
    }

    // ---- versions ----

    @Test
    void newerMajorVersionIsRejectedBeforeTheModelIsParsed() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        entries.put("kiln/version", "2.0\n".getBytes(StandardCharsets.US_ASCII));
        entries.put("kiln/model.pb", "a 2.x model in a schema this reader has never seen".getBytes(StandardCharsets.UTF_8));
        Surgery.write(file, entries);
        reject(UNSUPPORTED_VERSION, "kiln/version", "archive format version 2.0 is not supported",
                "reads major version 1 (1.x)", "written by a newer Kiln");
    }

    @Test
    void garbledVersionFile() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        entries.put("kiln/version", "one point oh".getBytes(StandardCharsets.US_ASCII));
        Surgery.write(file, entries);
        reject(MALFORMED, "kiln/version", "expected a version 'major.minor', found 'one point oh'");
    }

    @Test
    void modelMajorDisagreeingWithVersionFile() throws Exception {
        Surgery.editModel(file, m -> {
            return m.setFormatVersion(m.getFormatVersion().toBuilder().setMajor(3));
        });
        reject(MALFORMED, "kiln/model.pb", "format version 3.2 disagrees with kiln/version 1.2");
    }

    // ---- unknown op ----

    @Test
    void unknownOpIsNamed() throws Exception {
        Surgery.editModel(file, m -> {
            // %2 = aten::relu(%1)
            return Surgery.editTop(m, top -> Surgery.editNode(top, 5,
                    n -> n.setOp(n.getOp().toBuilder().setOp("aten::frobnicate"))));
        });
        reject(UNKNOWN_OP, "kiln/model.pb", "block top, node 5 (%2)", "unknown op 'aten::frobnicate'");
    }

    @Test
    void unknownOpInsideACondBlock() throws Exception {
        Path f = dir.resolve("cond.kiln");
        ArchiveWriter.write(KilnArchive.builder(Samples.controlFlow()).build(), f);
        file = f;
        Surgery.editModel(file, m -> {
            return Surgery.editTop(m, top -> Surgery.editNode(top, 0, cond -> cond.setBlocks(1,
                    Surgery.editNode(cond.getBlocks(1).toBuilder(), 0,
                            n -> n.setOp(n.getOp().toBuilder().setOp("kiln::teleport"))))));
        });
        reject(UNKNOWN_OP, "kiln/model.pb", "block top/0.1, node 0 (%3)", "unknown op 'kiln::teleport'");
    }

    // ---- missing entries ----

    @Test
    void missingTensorEntry() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        entries.remove("kiln/data/3");
        Surgery.write(file, entries);
        reject(MISSING_ENTRY, "kiln/data/3", "listed in the artifact index but absent from the zip");
    }

    @Test
    void missingVersionAndModel() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        entries.remove("kiln/version");
        Surgery.write(file, entries);
        reject(MISSING_ENTRY, "kiln/version", "required entry is missing");
        entries = Surgery.entries(dirCopy());
        entries.remove("kiln/model.pb");
        Surgery.write(file, entries);
        reject(MISSING_ENTRY, "kiln/model.pb", "required entry is missing");
    }

    private Path dirCopy() throws Exception {
        Path f = dir.resolve("fresh.kiln");
        ArchiveWriter.write(Samples.myNetArchive(), f);
        return f;
    }

    @Test
    void parameterTheGraphReadsIsMissing() throws Exception {
        Surgery.editModel(file, m -> m.removeParameters(0)); // conv.weight
        reject(MALFORMED, "kiln/model.pb", "param[\"conv.weight\"] has no parameter tensor");
    }

    // ---- malformed ----

    @Test
    void modelThatIsNotProtobuf() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        entries.put("kiln/model.pb", new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
        Surgery.write(file, entries);
        reject(MALFORMED, "kiln/model.pb", "not a valid protobuf Model");
    }

    @Test
    void useOfAnUndefinedValue() throws Exception {
        Surgery.editModel(file, m -> {
            return Surgery.editTop(m, top -> Surgery.editNode(top, 5, n -> n.setInputs(0, "ghost")));
        });
        reject(MALFORMED, "kiln/model.pb", "block top, node 5 (%2): uses %ghost, which is not defined before it");
    }

    @Test
    void valueDefinedTwice() throws Exception {
        Surgery.editModel(file, m -> {
            return Surgery.editTop(m, top -> Surgery.editNode(top, 6,
                    n -> n.setOutputs(0, n.getOutputs(0).toBuilder().setName("2"))));
        });
        reject(MALFORMED, "kiln/model.pb", "value %2 is defined twice");
    }

    @Test
    void graphThatDoesNotVerify() throws Exception {
        Surgery.editModel(file, m -> {
            // %2 = aten::relu(%1) declared f64: type inference gives f32.
            return Surgery.editTop(m, top -> Surgery.editNode(top, 5, n -> {
                var out = n.getOutputs(0);
                var type = out.getType();
                return n.setOutputs(0, out.toBuilder().setType(type.toBuilder().setTensor(
                        type.getTensor().toBuilder().setDtype(dev.kiln.serialization.proto.DType.FLOAT64))));
            }));
        });
        reject(MALFORMED, "kiln/model.pb", "graph does not verify", "%2");
    }

    @Test
    void badSymbolicDimension() throws Exception {
        Surgery.editModel(file, m -> {
            return Surgery.editTop(m, top -> {
                var param = top.getParams(0);
                var type = param.getType();
                var tensor = type.getTensor();
                return top.setParams(0, param.toBuilder().setType(type.toBuilder().setTensor(
                        tensor.toBuilder().setShape(0, tensor.getShape(0).toBuilder().setExpr("B +* 2")))));
            });
        });
        reject(MALFORMED, "kiln/model.pb", "block top, parameter 0 (%x)", "bad symbolic dimension 'B +* 2'");
    }

    @Test
    void tensorShapeDisagreesWithItsBytes() throws Exception {
        Surgery.editModel(file, m -> {
            m.setParameters(1, m.getParameters(1).toBuilder().setShape(0, 17)); // conv.bias f32[16] -> [17]
            return m;
        });
        reject(CHECKSUM_MISMATCH, "kiln/data/1", "parameter 'conv.bias' is f32[17] = 68 bytes",
                "the model says 64 and the entry has 64");
    }

    @Test
    void entryMissingFromTheIndex() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        entries.put("kiln/jvm/Evil.class", new byte[] {(byte) 0xCA, (byte) 0xFE});
        Surgery.write(file, entries);
        reject(MALFORMED, "kiln/jvm/Evil.class", "not listed in the artifact index");
    }

    @Test
    void compressedEntryIsRefused() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey())); // DEFLATED by default
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        reject(MALFORMED, "kiln/version", "entry is compressed (zip method 8)");
    }

    @Test
    void signatureThatDoesNotFitTheGraph() throws Exception {
        Surgery.editModel(file, m -> {
            var sig = m.getSignature();
            var in = sig.getInputs(0);
            return m.setSignature(sig.toBuilder().setInputs(0, in.toBuilder().setType(
                    in.getType().toBuilder().setDtype(dev.kiln.serialization.proto.DType.INT32))));
        });
        reject(MALFORMED, "kiln/model.pb", "signature input 0 'x' is i32[B, 1, 28, 28] but graph input 0 %x is f32");
    }

    @Test
    void tensorHashDisagreeingWithTheIndex() throws Exception {
        // The entry itself is intact (its index hash is right); only the tensor's own record of it is wrong.
        Surgery.editModel(file, m -> m.setParameters(1, m.getParameters(1).toBuilder()
                .setSha256(ByteString.copyFrom(new byte[32]))));
        reject(CHECKSUM_MISMATCH, "kiln/data/1", "parameter 'conv.bias': SHA-256 differs from the one recorded for the "
                + "tensor");
    }

    @Test
    void boolTensorWithABadByte() throws Exception {
        Map<String, byte[]> entries = Surgery.entries(file);
        Model.Builder m = Model.parseFrom(entries.get("kiln/model.pb")).toBuilder();
        byte[] bad = {1, 7, 0};
        entries.put("kiln/data/7", bad);
        ByteString sha = ByteString.copyFrom(java.security.MessageDigest.getInstance("SHA-256").digest(bad));
        m.setParameters(7, m.getParameters(7).toBuilder().setSha256(sha));
        for (int i = 0; i < m.getArtifactsCount(); i++) {
            if (m.getArtifacts(i).getName().equals("kiln/data/7")) m.setArtifacts(i, m.getArtifacts(i).toBuilder().setSha256(sha));
        }
        entries.put("kiln/model.pb", m.build().toByteArray());
        Surgery.write(file, entries);
        reject(MALFORMED, "kiln/data/7", "parameter 'buf.bool': bool element 1 is byte 7, expected 0 or 1");
    }
}
