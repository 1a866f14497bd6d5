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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsEveryDtypeWithMetadataAndOrder() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("z.bool", Tensor.ofBools(new boolean[] {true, false, true}, 3));
        sd.put("a.f32", Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, 7f, -0.125f}, 2, 3));
        sd.put("m.f64", Tensor.of(new double[] {Math.PI, -1e-300}, 2));
        sd.put("b.i32", Tensor.ofInts(new int[] {Integer.MIN_VALUE, 5}, 2));
        sd.put("c.i64", Tensor.scalarTensor(-123456789012L, DType.INT64)); // 0-d
        sd.put("e.empty", Tensor.empty(DType.FLOAT32, 0, 4));
        double[] base = {0, 1, 2, 3, 4, 5, 6, 7};
        sd.put("t.view", Tensor.fromStorage(Storage.wrap(base), new int[] {2, 3}, new int[] {1, 2}, 1)); // transposed
        Path f = tmp.resolve("sd.safetensors");
        Safetensors.write(sd, Map.of("format", "pt", "note", "ünïcode \"quoted\""), f);

        Safetensors.Contents back = Safetensors.read(f);
        assertEquals(List.copyOf(sd.keySet()), List.copyOf(back.tensors().keySet()));
        assertEquals(Map.of("format", "pt", "note", "ünïcode \"quoted\""), back.metadata());
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            Tensor want = e.getValue();
            Tensor got = back.tensors().get(e.getKey());
            assertEquals(want.dtype(), got.dtype(), e.getKey());
            assertArrayEquals(want.shape(), got.shape(), e.getKey());
            for (int i = 0; i < want.numel(); i++) {
                assertEquals(Fixtures.at(want, i), Fixtures.at(got, i), e.getKey() + "@" + i);
            }
        }
        assertEquals(4, back.tensors().get("t.view").getDouble(1, 1)); // base[1 + 1*1 + 1*2]

        // Layout: header padded to 8 bytes, every tensor aligned to its element size.
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        long n = raw.getLong(0);
        assertEquals(0, n % 8);
        @SuppressWarnings("unchecked")
        Map<String, Object> header = (Map<String, Object>) Json.parse(
                new String(raw.array(), 8, (int) n, StandardCharsets.UTF_8));
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            @SuppressWarnings("unchecked")
            List<Long> off = (List<Long>) ((Map<String, Object>) header.get(e.getKey())).get("data_offsets");
            assertEquals(0, off.get(0) % e.getValue().dtype().itemSize(), e.getKey());
        }
    }

    @Test
    void readsAHandBuiltFile() throws IOException {
        // "a": F32 [2] = {1.0, -2.5}; "n": I64 0-d = 7; "m": BOOL [3] = {1, 0, 1}; listed in a different order from
        // the data, with the header padded by spaces as the reference writer does.
        String json = "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[16,19]}}   ";
        byte[] data = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0x20, (byte) 0xc0, 7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
        Safetensors.Contents c = Safetensors.read(Fixtures.write(tmp, "h.safetensors", file(json, data)));
        assertEquals(List.of("n", "a", "m"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(new float[] {1.0f, -2.5f}, c.tensors().get("a").storage().floats());
        Tensor n = c.tensors().get("n");
        assertEquals(0, n.dim());
        assertEquals(7, n.itemLong());
        assertArrayEquals(new boolean[] {true, false, true}, c.tensors().get("m").storage().bools());
    }

    @Test
    void reportsCorruptFilesNamingTheTensor() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertError("tensor 'b': data_offsets [8, 20] are out of range: expected 0 <= begin <= end <= 16",
                "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[8,20]}}", new byte[16]);
        assertError("tensor 'b': data_offsets [4, 12] overlap tensor 'a' at [0, 8]",
                "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertError("tensor 'b': data_offsets start at 12 but the previous tensor ends at 8",
                "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", new byte[16]);
        assertError("the data section has 12 bytes but the tensors cover only [0, 8)", "{" + a + "}", new byte[12]);
        assertError("tensor 'b': data_offsets [8, 16] span 8 bytes, but shape [3] of F32 needs 12",
                "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[8,16]}}", new byte[16]);
        assertError("tensor 'h': unsupported dtype \"F16\"; Kiln reads F32, F64, I32, I64 and BOOL",
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]);
        assertError("tensor 'a': expected exactly the keys [dtype, shape, data_offsets]",
                "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]);
        assertError("tensor 'a': expected a shape of non-negative integers",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]);
        assertError("__metadata__ entry 'k': expected a string, found 3",
                "{\"__metadata__\":{\"k\":3}," + a + "}", new byte[8]);
        assertError("malformed safetensors header: invalid JSON", "{" + a + ",}", new byte[8]);
        assertError("duplicate key \"a\"", "{" + a + "," + a + "}", new byte[8]);

        // Truncated: the file ends inside the data the header promises.
        assertError("tensor 'a': data_offsets [0, 8] are out of range: expected 0 <= begin <= end <= 5",
                "{" + a + "}", new byte[5]);
        // A header length beyond the file, and a file too short to hold one.
        byte[] huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array();
        assertError("header length 1000 is not within the file's remaining 8 bytes",
                Fixtures.write(tmp, "len.safetensors", huge));
        assertError("expected an 8-byte header length, found a file of 3 bytes",
                Fixtures.write(tmp, "short.safetensors", new byte[3]));
        assertError("expected a JSON object starting with '{', found '['", "[1, 2]", new byte[0]);
    }

    @Test
    void refusesToWriteReservedOrEmptyNames() {
        Map<String, Tensor> sd = Map.of("__metadata__", Tensor.of(new float[] {1f}));
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> Safetensors.write(sd, Map.of(), tmp.resolve("x.safetensors")));
        assertTrue(e.getMessage().contains("cannot write a tensor named '__metadata__'"), e.getMessage());
    }

    private void assertError(String expectedText, String json, byte[] data) throws IOException {
        assertError(expectedText, Fixtures.write(tmp, "bad.safetensors", file(json, data)));
    }

    private static void assertError(String expectedText, Path file) {
        TensorFileException e = assertThrows(TensorFileException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expectedText), "expected '" + expectedText + "' in: " + e.getMessage());
    }

    private static byte[] file(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
                .put(data).array();
    }
}
