package dev.kiln.runtime.cli;

import dev.kiln.serialization.proto.Model;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Takes archives apart with the JDK's zip classes and writes them back, changed, as valid stored zips. */
public final class Rezip {
    private Rezip() {}

    public static Map<String, byte[]> entries(Path archive) throws IOException {
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

    /** Writes {@code entries} stored (uncompressed) with correct CRCs, so only Kiln's own checks can object. */
    public static void write(Path target, Map<String, byte[]> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(target); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setMethod(ZipEntry.STORED);
                z.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                z.setCrc(crc.getValue());
                zip.putNextEntry(z);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }

    /** Rewrites {@code archive}'s model description through {@code edit}. */
    public static void editModel(Path archive, UnaryOperator<Model.Builder> edit) throws IOException {
        Map<String, byte[]> entries = entries(archive);
        Model m = Model.parseFrom(entries.get("kiln/model.pb"));
        entries.put("kiln/model.pb", edit.apply(m.toBuilder()).build().toByteArray());
        write(archive, entries);
    }

    /**
     * Replaces entry {@code name}'s bytes and fixes up its length and SHA-256 in the artifact index, so that the
     * archive passes every integrity check: what a deliberate attacker (not a corrupted disk) would do.
     */
    public static void replaceEntry(Path archive, String name, byte[] bytes) throws IOException {
        Map<String, byte[]> entries = entries(archive);
        if (entries.put(name, bytes) == null) throw new IllegalArgumentException("no entry " + name);
        Model.Builder m = Model.parseFrom(entries.get("kiln/model.pb")).toBuilder();
        for (int i = 0; i < m.getArtifactsCount(); i++) {
            if (m.getArtifacts(i).getName().equals(name)) {
                try {
                    m.setArtifacts(i, m.getArtifacts(i).toBuilder().setByteLength(bytes.length).setSha256(
                            com.google.protobuf.ByteString.copyFrom(
                                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new AssertionError(e);
                }
            }
        }
        entries.put("kiln/model.pb", m.build().toByteArray());
        write(archive, entries);
    }
}
