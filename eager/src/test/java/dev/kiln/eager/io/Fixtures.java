package dev.kiln.eager.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.eager.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers: the conformance fixtures folder, hand-built file bytes, and raw element access. */
final class Fixtures {
    private Fixtures() {}

    /** The conformance folder from {@code -Dkiln.conformance.dir}; skips the test when it is not there. */
    static Path conformance() {
        String dir = System.getProperty("kiln.conformance.dir");
        assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "kiln.conformance.dir not set or missing: " + dir);
        return Path.of(dir);
    }

    /** A .npy file image: magic, version {@code major}.0, the header length (2 or 4 bytes), the header, the data. */
    static byte[] npy(int major, String header, byte[] data) {
        byte[] h = header.getBytes(major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int lenBytes = major == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lenBytes + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) h.length); else b.putInt(h.length);
        return b.put(h).put(data).array();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Element {@code i} in row-major order, read through the tensor's strides (no kernels involved). */
    static double at(Tensor t, int i) {
        int[] shape = t.intShape();
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = i % shape[d];
            i /= shape[d];
        }
        return t.getDouble(idx);
    }
}
