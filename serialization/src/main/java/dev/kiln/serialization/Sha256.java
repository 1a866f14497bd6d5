package dev.kiln.serialization;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * SHA-256 (FIPS 180-4) of a buffer's remaining bytes, in plain Java. The archive's checksums need nothing else, and
 * going through {@code MessageDigest} costs a JVM that loads one archive and exits about 25 ms of one-time work —
 * the security provider framework, the provider's service table, {@code VarHandle}-based byte access — before the
 * first byte is hashed (docs/runtime.md, "Fast start"). Output is bit-identical to
 * {@code MessageDigest.getInstance("SHA-256")} (tested against it). Stateless and thread-safe.
 */
final class Sha256 {
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

    private Sha256() {}

    /** The 32-byte digest of {@code content}'s remaining bytes; {@code content}'s position is not changed. */
    static byte[] digest(ByteBuffer content) {
        ByteBuffer b = content.duplicate().order(ByteOrder.BIG_ENDIAN);
        int[] h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        int[] w = new int[64];
        long length = b.remaining();
        int p = b.position();
        for (int end = b.limit(); end - p >= 64; p += 64) {
            for (int i = 0; i < 16; i++) w[i] = b.getInt(p + 4 * i);
            compress(h, w);
        }
        // Padding: 0x80, zeros, the bit length as a big-endian long, to a multiple of 64 bytes (one or two blocks).
        int rest = b.limit() - p;
        byte[] tail = new byte[rest + 9 <= 64 ? 64 : 128];
        b.get(p, tail, 0, rest);
        tail[rest] = (byte) 0x80;
        long bits = length * 8;
        for (int i = 0; i < 8; i++) tail[tail.length - 1 - i] = (byte) (bits >>> (8 * i));
        ByteBuffer t = ByteBuffer.wrap(tail);
        for (int off = 0; off < tail.length; off += 64) {
            for (int i = 0; i < 16; i++) w[i] = t.getInt(off + 4 * i);
            compress(h, w);
        }
        ByteBuffer out = ByteBuffer.allocate(32);
        for (int v : h) out.putInt(v);
        return out.array();
    }

    /** One 64-byte block, its 16 big-endian words in {@code w[0..15]}, into the state {@code h}. */
    private static void compress(int[] h, int[] w) {
        for (int i = 16; i < 64; i++) {
            int x = w[i - 15];
            int y = w[i - 2];
            int s0 = Integer.rotateRight(x, 7) ^ Integer.rotateRight(x, 18) ^ (x >>> 3);
            int s1 = Integer.rotateRight(y, 17) ^ Integer.rotateRight(y, 19) ^ (y >>> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        int a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (int i = 0; i < 64; i++) {
            int t1 = k + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25))
                    + ((e & f) ^ (~e & g)) + K[i] + w[i];
            int t2 = (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22))
                    + ((a & b) ^ (a & c) ^ (b & c));
            k = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += k;
    }
}
