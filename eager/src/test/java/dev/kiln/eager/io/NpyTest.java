package dev.kiln.eager.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path tmp;

    private static final int[][] SHAPES = {{2, 3}, {}, {0}, {2, 0, 3}, {7}, {2, 3, 4}};

    /** A tensor of {@code dtype} and {@code shape} whose element i is a distinct value derived from i. */
    private static Tensor sample(DType dtype, int[] shape) {
        Tensor t = Tensor.empty(dtype, shape);
        Storage s = t.storage();
        for (int i = 0; i < s.length(); i++) s.setDouble(i, expected(dtype, i));
        return t;
    }

    private static double expected(DType dtype, int i) {
        return switch (dtype) {
            case FLOAT32 -> (float) (i * 0.37 - 1.25);
            case FLOAT64 -> i * 1e-3 - 12345.678901234;
            case INT32 -> i * 7919 - 40000;
            case INT64 -> (i - 3) * 3_000_000_000L;
            case BOOL -> i % 3 == 0 ? 1 : 0;
        };
    }

    @Test
    void roundTripsEveryDtypeAndShape() throws IOException {
        for (DType dtype : DType.values()) {
            for (int[] shape : SHAPES) {
                Path f = tmp.resolve(dtype + "_" + shape.length + "_" + Arrays.hashCode(shape) + ".npy");
                Npy.write(sample(dtype, shape), f);
                Tensor back = Npy.read(f);
                assertEquals(dtype, back.dtype(), f.toString());
                assertArrayEquals(shape, back.intShape(), f.toString());
                assertTrue(back.isContiguous());
                for (int i = 0; i < back.numel(); i++) {
                    assertEquals(expected(dtype, i), Fixtures.at(back, i), f + "@" + i);
                }
                // Exact bytes on disk: header aligned to 64, little-endian data.
                byte[] bytes = Files.readAllBytes(f);
                int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
                assertEquals(0, (10 + headerLen) % Npy.ALIGN, "data alignment of " + f);
                assertEquals('\n', bytes[10 + headerLen - 1]);
                assertEquals(10 + headerLen + back.numel() * dtype.itemSize(), bytes.length);
            }
        }
    }

    @Test
    void writesHeadersExactlyAsNumpy() {
        // Byte layouts taken from files written by numpy 1.24's np.save.
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (256,), }" + " ".repeat(18),
                new NpyHeader(DType.FLOAT32, ByteOrder.LITTLE_ENDIAN, false, new int[] {256}).format());
        assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
                new NpyHeader(DType.INT64, ByteOrder.LITTLE_ENDIAN, false, new int[0]).format());
        assertEquals("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(20),
                new NpyHeader(DType.BOOL, ByteOrder.LITTLE_ENDIAN, false, new int[] {2, 3}).format());
        byte[] block = Npy.headerBlock(new NpyHeader(DType.INT64, ByteOrder.LITTLE_ENDIAN, false, new int[0]));
        assertEquals(128, block.length);
        assertEquals(0x76, block[8]);
    }

    @Test
    void rewritingFixtureFilesReproducesThemByteForByte() throws IOException {
        Path conf = Fixtures.conformance();
        for (String rel : new String[] {"mlp/weights/fc1.bias.npy", "mlp/weights/fc1.weight.npy",
                "lenet_bn/weights/bn1.num_batches_tracked.npy", "lenet_bn/weights/conv1.weight.npy"}) {
            Path src = conf.resolve(rel);
            Path copy = tmp.resolve("copy.npy");
            Npy.write(Npy.read(src), copy);
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(copy), rel);
        }
    }

    @Test
    void readsFixtureWeightsWithTheirValues() throws IOException {
        Path f = Fixtures.conformance().resolve("mlp/weights/fc1.weight.npy");
        Tensor w = Npy.read(f);
        assertEquals(DType.FLOAT32, w.dtype());
        assertArrayEquals(new long[] {256, 784}, w.shape());
        // Independent decoding of the raw bytes: numpy's header here is 128 bytes, then <f4 elements.
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = w.storage().floats();
        for (int i = 0; i < 256 * 784; i++) assertEquals(raw.getFloat(128 + 4 * i), data[i], "element " + i);

        Tensor n = Npy.read(Fixtures.conformance().resolve("lenet_bn/weights/bn1.num_batches_tracked.npy"));
        assertEquals(DType.INT64, n.dtype());
        assertEquals(0, n.dim());
        assertEquals(4, n.itemLong()); // four calibration batches (see lenet_bn/source.py)
    }

    @Test
    void writesNonContiguousTensorsInRowMajorOrder() throws IOException {
        double[] base = new double[20];
        for (int i = 0; i < base.length; i++) base[i] = i;
        // The transpose of a 3x4 block starting at offset 5: element (i, j) = base[5 + i + 3 * j].
        Tensor t = Tensor.fromStorage(Storage.wrap(base), new int[] {3, 4}, new int[] {1, 3}, 5);
        Path f = tmp.resolve("t.npy");
        Npy.write(t, f);
        Tensor back = Npy.read(f);
        assertArrayEquals(new int[] {3, 4}, back.intShape());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) assertEquals(5 + i + 3 * j, back.getDouble(i, j));
        }
    }

    @Test
    void readsFortranOrder() throws IOException {
        // C-order matrix [[1, 2, 3], [4, 5, 6]] stored column by column.
        byte[] data = ints(ByteOrder.LITTLE_ENDIAN, 1, 4, 2, 5, 3, 6);
        Path f = Fixtures.write(tmp, "f.npy",
                Fixtures.npy(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }\n", data));
        Tensor t = Npy.read(f);
        assertEquals(DType.INT32, t.dtype());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, t.storage().ints());

        // 3-d: element (i, j, k) = 100i + 10j + k lives at i + 2j + 6k in column-major order.
        int[] col = new int[24];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
            col[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
        }
        Path g = Fixtures.write(tmp, "g.npy", Fixtures.npy(1,
                "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 4), }\n", ints(ByteOrder.LITTLE_ENDIAN, col)));
        Tensor u = Npy.read(g);
        assertTrue(u.isContiguous());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
            assertEquals(100 * i + 10 * j + k, u.getLong(i, j, k));
        }
    }

    @Test
    void readsBigEndianData() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN).putDouble(1.5).putDouble(-2.25)
                .putDouble(1e300);
        Tensor d = Npy.read(Fixtures.write(tmp, "d.npy",
                Fixtures.npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }\n", b.array())));
        assertArrayEquals(new double[] {1.5, -2.25, 1e300}, d.storage().doubles());

        ByteBuffer f = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(3.25f).putFloat(-0.5f);
        Tensor t = Npy.read(Fixtures.write(tmp, "f.npy",
                Fixtures.npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 1), }\n", f.array())));
        assertArrayEquals(new float[] {3.25f, -0.5f}, t.storage().floats());

        Tensor i = Npy.read(Fixtures.write(tmp, "i.npy", Fixtures.npy(1,
                "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }\n", ints(ByteOrder.BIG_ENDIAN, -7, 65536))));
        assertArrayEquals(new int[] {-7, 65536}, i.storage().ints());

        ByteBuffer l = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(-1L << 40).putLong(42);
        Tensor k = Npy.read(Fixtures.write(tmp, "l.npy",
                Fixtures.npy(1, "{'descr': '>i8', 'fortran_order': True, 'shape': (1, 2), }\n", l.array())));
        assertArrayEquals(new long[] {-1L << 40, 42}, k.storage().longs());
    }

    @Test
    void readsVersions2And3AndBools() throws IOException {
        byte[] floats = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(-2f).array();
        Tensor v2 = Npy.read(Fixtures.write(tmp, "v2.npy",
                Fixtures.npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }  \n", floats)));
        assertArrayEquals(new float[] {1f, -2f}, v2.storage().floats());

        Tensor v3 = Npy.read(Fixtures.write(tmp, "v3.npy",
                Fixtures.npy(3, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1, 2)}\n", floats)));
        assertArrayEquals(new int[] {1, 2}, v3.intShape());
        assertArrayEquals(new float[] {1f, -2f}, v3.storage().floats());

        // numpy only writes 0 and 1, but any non-zero byte is true; Python 2 files spell sizes as 3L.
        Tensor b = Npy.read(Fixtures.write(tmp, "b.npy",
                Fixtures.npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3L,), }\n", new byte[] {1, 0, 2})));
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new boolean[] {true, false, true}, b.storage().bools());
    }

    @Test
    void reportsMalformedFilesClearly() throws IOException {
        String f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n";
        assertError("magic",
                Fixtures.write(tmp, "magic.npy", "hello world, not numpy".getBytes(StandardCharsets.US_ASCII)));
        assertError("an empty file", Fixtures.write(tmp, "empty.npy", new byte[0]));
        assertError("truncated data: shape [4] of float32 needs 16 bytes after the header, found 8",
                Fixtures.write(tmp, "trunc.npy", Fixtures.npy(1, f4, new byte[8])));
        assertError("unexpected trailing data: shape [4] of float32 needs 16 bytes after the header, found 20",
                Fixtures.write(tmp, "trail.npy", Fixtures.npy(1, f4, new byte[20])));
        assertError("unsupported dtype '<f2'", Fixtures.write(tmp, "f2.npy",
                Fixtures.npy(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }\n", new byte[8])));
        assertError("structured", Fixtures.write(tmp, "rec.npy",
                Fixtures.npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }\n", new byte[16])));
        assertError("version 4.0", Fixtures.write(tmp, "v4.npy", Fixtures.npy(4, f4, new byte[16])));
        assertError("expected exactly the keys 'descr', 'fortran_order' and 'shape', found [descr, shape]",
                Fixtures.write(tmp, "keys.npy",
                        Fixtures.npy(1, "{'descr': '<f4', 'shape': (4,), }\n", new byte[16])));
        assertError("expected a tuple", Fixtures.write(tmp, "tuple.npy",
                Fixtures.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4), }\n", new byte[16])));
        assertError("expected 'shape' of non-negative integers, found (-4,)", Fixtures.write(tmp, "neg.npy",
                Fixtures.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }\n", new byte[16])));
        assertError("malformed .npy header", Fixtures.write(tmp, "garbage.npy",
                Fixtures.npy(1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,), }\n", new byte[16])));
        byte[] shortHeader = Arrays.copyOf(Fixtures.npy(1, f4, new byte[0]), 30);
        assertError("truncated .npy header", Fixtures.write(tmp, "hdr.npy", shortHeader));
    }

    private static void assertError(String expectedText, Path file) {
        TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expectedText), "expected '" + expectedText + "' in: " + e.getMessage());
    }

    @Test
    void readsAMegabyteQuickly() throws IOException {
        float[] data = new float[1 << 18]; // 1 MiB
        for (int i = 0; i < data.length; i++) data[i] = i * 0.5f;
        Path f = tmp.resolve("big.npy");
        Npy.write(Tensor.wrap(data, data.length), f);
        long best = Long.MAX_VALUE;
        for (int rep = 0; rep < 10; rep++) {
            long t0 = System.nanoTime();
            Tensor t = Npy.read(f);
            best = Math.min(best, System.nanoTime() - t0);
            assertEquals(data[data.length - 1], t.storage().floats()[data.length - 1]);
        }
        // A bulk NIO read takes about a millisecond; element-by-element decoding would take far longer.
        assertTrue(best < 50_000_000L, "reading 1 MiB took " + best / 1e6 + " ms");
    }

    private static byte[] ints(ByteOrder order, int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
        for (int v : values) b.putInt(v);
        return b.array();
    }
}
