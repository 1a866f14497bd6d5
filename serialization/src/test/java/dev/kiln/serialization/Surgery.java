package dev.kiln.serialization;

import dev.kiln.serialization.proto.Block;
import dev.kiln.serialization.proto.Graph;
import dev.kiln.serialization.proto.Model;
import dev.kiln.serialization.proto.Node;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Test tools that take archives apart with the JDK's own zip reader and put them back together, changed. */
final class Surgery {
    private Surgery() {}

    /** Every entry's bytes, in zip order, read by {@link ZipFile} (independently of the archive reader). */
    static Map<String, byte[]> entries(Path archive) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(archive.toFile())) {
            Enumeration<? extends ZipEntry> en = z.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                try (InputStream in = z.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    /** Writes {@code entries} as an aligned stored zip at {@code target}. */
    static void write(Path target, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            AlignedZipWriter zip = new AlignedZipWriter(out);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) zip.put(e.getKey(), ByteBuffer.wrap(e.getValue()));
            zip.finish();
        }
    }

    /** Rewrites {@code archive}'s model.pb through {@code edit}, keeping every other entry. */
    static void editModel(Path archive, UnaryOperator<Model.Builder> edit) throws IOException {
        Map<String, byte[]> entries = entries(archive);
        Model m = Model.parseFrom(entries.get("kiln/model.pb"));
        entries.put("kiln/model.pb", edit.apply(m.toBuilder()).build().toByteArray());
        write(archive, entries);
    }

    /**
     * {@code m} with its model graph's top block replaced by {@code edit} of it. The generated messages are lite
     * (no nested-builder accessors), so a deep edit rebuilds each message on the way down.
     */
    static Model.Builder editTop(Model.Builder m, UnaryOperator<Block.Builder> edit) {
        Graph g = m.getGraph();
        return m.setGraph(g.toBuilder().setTop(edit.apply(g.getTop().toBuilder())));
    }

    /** {@code b} with its node {@code index} replaced by {@code edit} of it. */
    static Block.Builder editNode(Block.Builder b, int index, UnaryOperator<Node.Builder> edit) {
        return b.setNodes(index, edit.apply(b.getNodes(index).toBuilder()));
    }

    /** Inverts every bit of the byte at {@code offset}. */
    static void flipByte(Path file, long offset) throws IOException {
        byte[] all = Files.readAllBytes(file);
        all[(int) offset] ^= (byte) 0xFF;
        Files.write(file, all);
    }

    /** The file offset of the first data byte of {@code entry}. */
    static long dataOffset(Path archive, String entry) throws IOException {
        return LocalHeaders.scan(Files.readAllBytes(archive)).get(entry)[0];
    }
}
