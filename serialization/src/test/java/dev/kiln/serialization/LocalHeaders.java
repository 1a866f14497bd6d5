package dev.kiln.serialization;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Walks a zip's local file headers from offset 0, the way the format lays them out (header, name, extra, data),
 * to find where each entry's data starts — independently of the code under test.
 */
final class LocalHeaders {
    private LocalHeaders() {}

    /** Entry name → {data offset, data length, extra-field length}, in file order. */
    static Map<String, long[]> scan(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, long[]> out = new LinkedHashMap<>();
        int p = 0;
        while (b.getInt(p) == 0x04034b50) {
            int flags = Short.toUnsignedInt(b.getShort(p + 6));
            int method = Short.toUnsignedInt(b.getShort(p + 8));
            long size = Integer.toUnsignedLong(b.getInt(p + 18));
            int nameLen = Short.toUnsignedInt(b.getShort(p + 26));
            int extraLen = Short.toUnsignedInt(b.getShort(p + 28));
            if (method != 0 || (flags & 8) != 0) throw new AssertionError("entry at " + p + " is not plainly stored");
            String name = new String(zip, p + 30, nameLen, StandardCharsets.UTF_8);
            long data = p + 30L + nameLen + extraLen;
            out.put(name, new long[] {data, size, extraLen});
            p = (int) (data + size);
        }
        return out;
    }
}
