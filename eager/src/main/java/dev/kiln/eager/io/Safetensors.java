package dev.kiln.eager.io;

import dev.kiln.eager.Shapes;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.kernels.Copy;
import dev.kiln.ir.DType;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Hugging Face safetensors format: an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON
 * header, then the data section. The header maps each tensor name to {@code {"dtype", "shape", "data_offsets":
 * [begin, end]}} (offsets relative to the data section) and may hold {@code "__metadata__"}, a string-to-string map.
 *
 * <p>Reading checks what the format promises: a UTF-8 JSON object header, known dtypes (Kiln reads F32, F64,
 * I32, I64 and BOOL), offsets that match each shape's byte size, and tensors that tile the data section exactly,
 * with no overlap, gap or trailing bytes. Errors name the file and the tensor.
 *
 * <p>Writing lists tensors in the header in the map's order, pads the header with spaces to a multiple of 8 bytes
 * and lays data out widest dtype first, so every tensor starts at a multiple of its element size.
 */
public final class Safetensors {
    /** The reference implementation refuses headers over 100 MB; so does Kiln. */
    private static final long MAX_HEADER = 100_000_000L;
    private static final String METADATA = "__metadata__";
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    private Safetensors() {}

    /** Tensors in header order, and the header's {@code __metadata__} (empty when absent). */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Reads every tensor of {@code file} into fresh contiguous tensors. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new TensorFileException(file, "not a safetensors file: expected an 8-byte header length, "
                        + "found a file of " + size + " bytes");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLength = lenBuf.getLong(0);
            if (headerLength < 2 || headerLength > size - 8 || headerLength > MAX_HEADER) {
                throw new TensorFileException(file, "not a safetensors file: header length " + Long.toUnsignedString(
                        headerLength) + " is not within the file's remaining " + (size - 8) + " bytes (and at most "
                        + MAX_HEADER + ")");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLength);
            readFully(ch, headerBuf, 8);
            headerBuf.flip();
            long dataStart = 8 + headerLength;
            Map<String, Object> header = parseHeader(headerBuf, file);
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : header.entrySet()) {
                if (e.getKey().equals(METADATA)) {
                    metadata = metadataOf(e.getValue(), file);
                } else {
                    entries.add(Entry.parse(e.getKey(), e.getValue(), size - dataStart, file));
                }
            }
            checkTiling(entries, size - dataStart, file);
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry en : entries) {
                Storage st = Storage.allocate(en.dtype, Shapes.numel(en.shape));
                ChannelArrays.read(ch, dataStart + en.begin, en.dtype, ByteOrder.LITTLE_ENDIAN, st.array(),
                        st.length());
                tensors.put(en.name, Tensor.fromStorage(st, en.shape, Shapes.contiguousStrides(en.shape), 0));
            }
            return new Contents(tensors, Map.copyOf(metadata));
        }
    }

    /** Writes {@code tensors} (any geometry) and {@code metadata} to {@code file}, replacing it if it exists. */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        List<Map.Entry<String, Tensor>> layout = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals(METADATA)) {
                throw new TensorFileException(file, "cannot write a tensor named '" + name
                        + "': expected a non-empty name other than " + METADATA);
            }
            if (e.getValue() == null) throw new TensorFileException(file, "tensor '" + name + "': found null");
            layout.add(e);
        }
        // Widest first (stable, so equal widths keep map order): with an 8-aligned header every tensor is aligned.
        layout.sort(Comparator.comparingInt(e -> -e.getValue().dtype().itemSize()));
        Map<String, long[]> offsets = new LinkedHashMap<>();
        long cursor = 0;
        for (Map.Entry<String, Tensor> e : layout) {
            long bytes = e.getValue().numel() * e.getValue().dtype().itemSize();
            offsets.put(e.getKey(), new long[] {cursor, cursor + bytes});
            cursor += bytes;
        }
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put(METADATA, new LinkedHashMap<>(metadata));
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long[] off = offsets.get(e.getKey());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", code(t.dtype()));
            entry.put("shape", Arrays.stream(t.shape()).boxed().toList());
            entry.put("data_offsets", List.of(off[0], off[1]));
            header.put(e.getKey(), entry);
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ChannelArrays.writeFully(ch, head);
            for (Map.Entry<String, Tensor> e : layout) {
                Tensor t = e.getValue();
                Tensor dense = t.isContiguous() ? t : Copy.contiguous(t);
                ChannelArrays.write(ch, dense.dtype(), ByteOrder.LITTLE_ENDIAN, dense.storage().array(),
                        dense.storageOffset(), (int) dense.numel());
            }
        }
    }

    /** The safetensors dtype name of {@code dtype}. */
    static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static Map<String, Object> parseHeader(ByteBuffer bytes, Path file) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new TensorFileException(file, "malformed safetensors header: expected UTF-8 JSON", e);
        }
        if (!text.startsWith("{")) {
            throw new TensorFileException(file, "malformed safetensors header: expected a JSON object starting with "
                    + "'{', found " + (text.isEmpty() ? "nothing" : "'" + text.charAt(0) + "'"));
        }
        Object v;
        try {
            v = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TensorFileException(file, "malformed safetensors header: " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new TensorFileException(file, "malformed safetensors header: expected a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) v;
        return map;
    }

    private static Map<String, String> metadataOf(Object value, Path file) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new TensorFileException(file, METADATA + ": expected an object of strings, found "
                    + Json.write(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new TensorFileException(file, METADATA + " entry '" + e.getKey() + "': expected a string, found "
                        + Json.write(e.getValue()));
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    /** Tensors sorted by offset must cover {@code [0, dataLength)} exactly: no overlap, no gap, nothing after. */
    private static void checkTiling(List<Entry> entries, long dataLength, Path file) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong((Entry e) -> e.begin).thenComparingLong(e -> e.end));
        long cursor = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < cursor) {
                throw new TensorFileException(file, "tensor '" + e.name + "': data_offsets [" + e.begin + ", "
                        + e.end + "] overlap tensor '" + previous.name + "' at [" + previous.begin + ", "
                        + previous.end + "]");
            }
            if (e.begin > cursor) {
                throw new TensorFileException(file, "tensor '" + e.name + "': data_offsets start at " + e.begin
                        + " but the previous tensor ends at " + cursor + "; bytes [" + cursor + ", " + e.begin
                        + ") of the data section belong to no tensor");
            }
            cursor = e.end;
            previous = e;
        }
        if (cursor != dataLength) {
            throw new TensorFileException(file, "the data section has " + dataLength + " bytes but the tensors "
                    + "cover only [0, " + cursor + "); bytes after that belong to no tensor");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) throw new EOFException("end of file");
        }
    }

    /** One validated header entry. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        static Entry parse(String name, Object value, long dataLength, Path file) {
            if (!(value instanceof Map<?, ?> m)) {
                throw bad(file, name, "expected an object with dtype, shape and data_offsets, found "
                        + Json.write(value));
            }
            if (!m.keySet().equals(ENTRY_KEYS)) {
                throw bad(file, name, "expected exactly the keys [dtype, shape, data_offsets], found " + m.keySet());
            }
            DType dtype = dtypeOf(m.get("dtype"), file, name);
            int[] shape = shapeOf(m.get("shape"), file, name);
            if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                    || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
                throw bad(file, name, "expected data_offsets as [begin, end] integers, found "
                        + Json.write(m.get("data_offsets")));
            }
            if (begin < 0 || end < begin || end > dataLength) {
                throw bad(file, name, "data_offsets [" + begin + ", " + end + "] are out of range: expected "
                        + "0 <= begin <= end <= " + dataLength + " (the size of the data section)");
            }
            long needed = Shapes.numel(shape) * dtype.itemSize();
            if (end - begin != needed) {
                throw bad(file, name, "data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                        + " bytes, but shape " + Arrays.toString(shape) + " of " + code(dtype) + " needs " + needed);
            }
            return new Entry(name, dtype, shape, begin, end);
        }

        private static DType dtypeOf(Object v, Path file, String name) {
            if (v instanceof String s) {
                for (DType t : DType.values()) {
                    if (code(t).equals(s)) return t;
                }
            }
            throw bad(file, name, "unsupported dtype " + Json.write(v) + "; Kiln reads F32, F64, I32, I64 and BOOL");
        }

        private static int[] shapeOf(Object v, Path file, String name) {
            if (v instanceof List<?> l) {
                int[] shape = new int[l.size()];
                long numel = 1;
                boolean ok = true;
                for (int i = 0; i < shape.length && ok; i++) {
                    ok = l.get(i) instanceof Long n && n >= 0 && n <= Integer.MAX_VALUE;
                    if (ok) {
                        shape[i] = (int) (long) (Long) l.get(i);
                        numel = Math.min(numel * shape[i], Integer.MAX_VALUE); // clamped: no overflow
                    }
                }
                if (ok && numel <= Integer.MAX_VALUE - 8) return shape;
            }
            throw bad(file, name, "expected a shape of non-negative integers with at most " + (Integer.MAX_VALUE - 8)
                    + " elements, found " + Json.write(v));
        }

        private static TensorFileException bad(Path file, String name, String what) {
            return new TensorFileException(file, "tensor '" + name + "': " + what);
        }
    }
}
