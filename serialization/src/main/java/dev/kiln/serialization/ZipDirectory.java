package dev.kiln.serialization;

import static dev.kiln.serialization.ArchiveException.Problem.MALFORMED;
import static dev.kiln.serialization.ArchiveException.Problem.TRUNCATED;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entries of a zip file, read from its central directory (ZIP64 included) and checked against each local
 * header, with the file offset where each entry's data starts. {@link java.util.zip.ZipFile} hides that offset;
 * the reader needs it to map tensor bytes in place, and tests need it to check alignment.
 *
 * <p>Checks: an end-of-central-directory record exists (else the file is truncated or not a zip), the directory
 * and every entry's data lie inside the file and before the directory, local and central names agree, and no name
 * occurs twice.
 */
final class ZipDirectory {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int EOCD64_LOCATOR_SIG = 0x07064b50;
    private static final int EOCD64_SIG = 0x06064b50;
    private static final int CEN_SIG = 0x02014b50;
    private static final int LOC_SIG = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final long MAGIC32 = 0xFFFFFFFFL;

    /** One entry: compression method, CRC-32, sizes, and the offsets of its local header and its data. */
    record Entry(String name, int method, long crc, long compressedSize, long size, long headerOffset,
                 long dataOffset) {
    }

    private final Map<String, Entry> entries;

    private ZipDirectory(Map<String, Entry> entries) { this.entries = entries; }

    /** The entry named {@code name}, or null. */
    Entry get(String name) { return entries.get(name); }

    /** All entries in central-directory order. */
    Collection<Entry> entries() { return Collections.unmodifiableCollection(entries.values()); }

    static ZipDirectory read(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        int tailLength = (int) Math.min(size, EOCD_SIZE + 0xFFFF);
        ByteBuffer tail = readAt(ch, size - tailLength, tailLength, file, null);
        int eocd = -1;
        for (int i = tailLength - EOCD_SIZE; i >= 0; i--) {
            // The record is the last thing in the file: its comment must reach exactly to the end.
            if (tail.getInt(i) == EOCD_SIG && i + EOCD_SIZE + u16(tail, i + 20) == tailLength) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new ArchiveException(TRUNCATED, file, null, "no zip end-of-central-directory record: the file ("
                    + size + " bytes) is truncated or is not a zip archive");
        }
        long eocdOffset = size - tailLength + eocd;
        long count = u16(tail, eocd + 10);
        long cdSize = u32(tail, eocd + 12);
        long cdOffset = u32(tail, eocd + 16);
        long cdLimit = eocdOffset;
        if (count == 0xFFFF || cdSize == MAGIC32 || cdOffset == MAGIC32) {
            if (eocdOffset < 20) throw malformed(file, "ZIP64 end-of-central-directory locator is missing");
            ByteBuffer loc = readAt(ch, eocdOffset - 20, 20, file, null);
            if (loc.getInt(0) != EOCD64_LOCATOR_SIG) {
                throw malformed(file, "ZIP64 end-of-central-directory locator is missing");
            }
            long e64 = loc.getLong(8);
            if (e64 < 0 || e64 + 56 > eocdOffset - 20) throw malformed(file, "ZIP64 end record is out of bounds");
            ByteBuffer rec = readAt(ch, e64, 56, file, null);
            if (rec.getInt(0) != EOCD64_SIG) throw malformed(file, "ZIP64 end-of-central-directory record is missing");
            count = rec.getLong(32);
            cdSize = rec.getLong(40);
            cdOffset = rec.getLong(48);
            cdLimit = e64;
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > cdLimit || cdSize > Integer.MAX_VALUE) {
            throw malformed(file, "central directory (offset " + cdOffset + ", " + cdSize
                    + " bytes) does not fit before the end record at " + cdLimit);
        }
        ByteBuffer cd = readAt(ch, cdOffset, (int) cdSize, file, null);
        Map<String, Entry> out = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CEN_SIG) {
                throw malformed(file, "central directory record " + i + " of " + count + " is damaged");
            }
            int method = u16(cd, p + 10);
            long crc = u32(cd, p + 16);
            long csize = u32(cd, p + 20);
            long usize = u32(cd, p + 24);
            int nameLen = u16(cd, p + 28);
            int extraLen = u16(cd, p + 30);
            int commentLen = u16(cd, p + 32);
            long lho = u32(cd, p + 42);
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw malformed(file, "central directory record " + i + " overruns the directory");
            }
            String name = string(cd, p + 46, nameLen);
            // ZIP64 extended information: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order.
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = u16(cd, x);
                int len = u16(cd, x + 2);
                if (id == 0x0001) {
                    int q = x + 4;
                    if (usize == MAGIC32 && q + 8 <= x + 4 + len) { usize = cd.getLong(q); q += 8; }
                    if (csize == MAGIC32 && q + 8 <= x + 4 + len) { csize = cd.getLong(q); q += 8; }
                    if (lho == MAGIC32 && q + 8 <= x + 4 + len) lho = cd.getLong(q);
                }
                x += 4 + len;
            }
            p += 46 + nameLen + extraLen + commentLen;
            if (lho < 0 || lho + 30 > cdOffset) {
                throw malformed(file, name + ": local header offset " + lho + " lies outside the entry area");
            }
            ByteBuffer lh = readAt(ch, lho, 30, file, name);
            if (lh.getInt(0) != LOC_SIG) throw malformed(file, name + ": no local file header at offset " + lho);
            int lNameLen = u16(lh, 26);
            int lExtraLen = u16(lh, 28);
            String lName = string(readAt(ch, lho + 30, lNameLen, file, name), 0, lNameLen);
            if (!lName.equals(name)) {
                throw malformed(file, name + ": local header at offset " + lho + " names '" + lName + "'");
            }
            long data = lho + 30 + lNameLen + lExtraLen;
            if (csize < 0 || data + csize > cdOffset) {
                throw new ArchiveException(data + csize > size ? TRUNCATED : MALFORMED, file, name, "data (offset "
                        + data + ", " + csize + " bytes) runs past the entry area, which ends at " + cdOffset);
            }
            if (out.put(name, new Entry(name, method, crc, csize, usize, lho, data)) != null) {
                throw malformed(file, "entry '" + name + "' occurs twice");
            }
        }
        return new ZipDirectory(out);
    }

    /** {@code length} bytes at {@code offset}, little-endian; TRUNCATED when the file ends first. */
    static ByteBuffer readAt(FileChannel ch, long offset, int length, Path file, String entry) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int n = ch.read(b, offset + b.position());
            if (n < 0) {
                throw new ArchiveException(TRUNCATED, file, entry, "file ends at " + ch.size() + " bytes, expected "
                        + length + " bytes at offset " + offset);
            }
        }
        return b.flip();
    }

    private static ArchiveException malformed(Path file, String detail) {
        return new ArchiveException(MALFORMED, file, null, "bad zip structure: " + detail);
    }

    private static int u16(ByteBuffer b, int i) { return Short.toUnsignedInt(b.getShort(i)); }

    private static long u32(ByteBuffer b, int i) { return Integer.toUnsignedLong(b.getInt(i)); }

    private static String string(ByteBuffer b, int at, int len) {
        byte[] s = new byte[len];
        b.get(at, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
