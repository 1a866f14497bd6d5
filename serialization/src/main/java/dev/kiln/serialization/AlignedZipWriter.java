package dev.kiln.serialization;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a zip whose entries are all stored uncompressed ({@link ZipEntry#STORED}) with their data starting at a
 * multiple of {@link #ALIGNMENT} bytes from the start of the file, so that a reader can map tensor bytes directly
 * and view them as aligned primitive arrays.
 *
 * <p>Alignment uses PyTorch's trick: the local file header's extra field carries a padding record (header id
 * {@link #PADDING_ID}, 'K' 'L') whose length makes {@code 30 + name + extra} end on the boundary. Any zip tool
 * ignores an unknown extra record. Entries get a fixed timestamp (2000-01-01) so equal content gives equal bytes.
 * Not thread-safe; the caller closes the underlying stream.
 */
final class AlignedZipWriter {
    static final int ALIGNMENT = 64;
    /** Extra-field header id of the padding record: the bytes 'K', 'L' read as a little-endian short. */
    static final int PADDING_ID = 0x4C4B;
    private static final int LOCAL_HEADER_FIXED = 30;
    private static final int EXTRA_HEADER = 4;
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private final Counting counting;
    private final ZipOutputStream zip;

    AlignedZipWriter(OutputStream out) {
        this.counting = new Counting(out);
        this.zip = new ZipOutputStream(counting, StandardCharsets.UTF_8);
    }

    /** Bytes written so far. */
    long position() { return counting.count; }

    /**
     * Writes one stored entry with the bytes of {@code content} (position to limit; not consumed) and returns the
     * file offset of its data, a multiple of {@link #ALIGNMENT}.
     */
    long put(String name, ByteBuffer content) throws IOException {
        ByteBuffer data = content.duplicate();
        CRC32 crc = new CRC32();
        crc.update(data.duplicate());
        int nameLength = name.getBytes(StandardCharsets.UTF_8).length;
        long headerEnd = counting.count + LOCAL_HEADER_FIXED + nameLength + EXTRA_HEADER;
        int pad = (int) Math.floorMod(-headerEnd, (long) ALIGNMENT);
        byte[] extra = new byte[EXTRA_HEADER + pad];
        extra[0] = (byte) PADDING_ID;
        extra[1] = (byte) (PADDING_ID >>> 8);
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >>> 8);

        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.remaining());
        e.setCompressedSize(data.remaining());
        e.setCrc(crc.getValue());
        e.setTimeLocal(FIXED_TIME);
        e.setExtra(extra);
        zip.putNextEntry(e);
        long dataOffset = counting.count;
        if (dataOffset % ALIGNMENT != 0) {
            // ZipOutputStream wrote a header of a length we did not predict (e.g. a ZIP64 record).
            throw new IllegalStateException("entry " + name + " data at offset " + dataOffset + " is not "
                    + ALIGNMENT + "-byte aligned");
        }
        byte[] chunk = new byte[Math.min(1 << 16, Math.max(1, data.remaining()))];
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            zip.write(chunk, 0, n);
        }
        zip.closeEntry();
        return dataOffset;
    }

    /** Writes the central directory; the underlying stream stays open. */
    void finish() throws IOException {
        zip.finish();
        zip.flush();
    }

    /** Counts bytes on their way to the underlying stream (before any buffering below it). */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) { super(out); }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
