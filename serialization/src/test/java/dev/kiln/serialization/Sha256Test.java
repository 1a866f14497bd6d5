package dev.kiln.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Sha256} against the JDK's {@code MessageDigest} and the FIPS 180-4 examples. */
class Sha256Test {
    @TempDir
    Path dir;

    static byte[] jdk(byte[] data) throws Exception { return MessageDigest.getInstance("SHA-256").digest(data); }

    @Test
    void fipsExamples() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(Sha256.digest(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)))));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HexFormat.of().formatHex(Sha256.digest(ByteBuffer.allocate(0))));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", HexFormat.of().formatHex(
                Sha256.digest(ByteBuffer.wrap("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
                        .getBytes(StandardCharsets.US_ASCII)))));
    }

    /** Every length around the padding boundaries (55/56/63/64 bytes per block), and a few large ones. */
    @Test
    void matchesTheJdkForEveryLengthAroundTheBlockBoundaries() throws Exception {
        Random r = new Random(7);
        for (int n = 0; n <= 300; n++) check(r, n);
        for (int n : new int[] {4095, 4096, 4097, 1 << 20, (1 << 20) + 13}) check(r, n);
    }

    private static void check(Random r, int n) throws Exception {
        byte[] data = new byte[n];
        r.nextBytes(data);
        assertArrayEquals(jdk(data), Sha256.digest(ByteBuffer.wrap(data)), "length " + n);
        // Only the remaining bytes count, and the position is left alone.
        ByteBuffer framed = ByteBuffer.allocate(n + 10).position(3);
        framed.put(data).position(3).limit(n + 3);
        assertArrayEquals(jdk(data), Sha256.digest(framed), "length " + n + " at offset 3");
        assertEquals(3, framed.position());
    }

    @Test
    void directAndMappedBuffersHashTheSame() throws Exception {
        byte[] data = new byte[70_001];
        new Random(3).nextBytes(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
        assertArrayEquals(jdk(data), Sha256.digest(direct));
        Path f = Files.write(dir.resolve("d.bin"), data);
        try (FileChannel ch = FileChannel.open(f)) {
            assertArrayEquals(jdk(data), Sha256.digest(ch.map(FileChannel.MapMode.READ_ONLY, 0, data.length)));
        }
    }
}
