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
import java.util.Arrays;

/**
 * NumPy's {@code .npy} format: the magic {@code \x93NUMPY}, a version, a header length, a Python-dict header
 * (see {@link NpyHeader}) and the raw elements.
 *
 * <p>Reading accepts format versions 1.0 (2-byte header length, latin-1), 2.0 (4-byte length) and 3.0 (4-byte
 * length, UTF-8 header); dtypes {@code f4 f8 i4 i8 b1} in either byte order; C or Fortran order (Fortran data is
 * rearranged into a C-contiguous tensor). The file must hold exactly the header and the data: a short file is
 * reported as truncated and trailing bytes as an error, since both mean the header and data disagree.
 *
 * <p>Writing produces what numpy 1.24's {@code np.save} produces, byte for byte: version 1.0, little-endian, C
 * order, the header padded with spaces and a newline so the data starts on a 64-byte boundary.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Data starts at a multiple of this (numpy's {@code ARRAY_ALIGN}). */
    static final int ALIGN = 64;
    /** Headers beyond this are refused rather than allocated (numpy's own headers are ~128 bytes). */
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    /** Reads the tensor stored in {@code file}; a fresh contiguous tensor of the file's dtype and shape. */
    public static Tensor read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readAt(ch, pre, 0, (int) Math.min(12, size));
            if (pre.limit() < 10 || !Arrays.equals(Arrays.copyOf(pre.array(), 6), MAGIC)) {
                throw new TensorFileException(file, "not a .npy file: expected the magic bytes \\x93NUMPY and a "
                        + "version, found " + describeBytes(pre.array(), pre.limit()));
            }
            int major = pre.get(6) & 0xff;
            int minor = pre.get(7) & 0xff;
            if (minor != 0 || major < 1 || major > 3) {
                throw new TensorFileException(file, "unsupported .npy format version " + major + "." + minor
                        + "; Kiln reads versions 1.0, 2.0 and 3.0");
            }
            long headerLength;
            int headerStart;
            if (major == 1) {
                headerLength = pre.getShort(8) & 0xffff;
                headerStart = 10;
            } else {
                if (pre.limit() < 12) throw new TensorFileException(file, "truncated .npy header: the file has only "
                        + size + " bytes");
                headerLength = pre.getInt(8) & 0xffffffffL;
                headerStart = 12;
            }
            if (headerLength > MAX_HEADER) {
                throw new TensorFileException(file, "implausible .npy header length " + headerLength
                        + " (Kiln accepts at most " + MAX_HEADER + " bytes)");
            }
            long dataStart = headerStart + headerLength;
            if (size < dataStart) {
                throw new TensorFileException(file, "truncated .npy header: expected " + headerLength
                        + " header bytes, the file ends after " + (size - headerStart));
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readAt(ch, headerBytes, headerStart, (int) headerLength);
            NpyHeader header = NpyHeader.parse(decodeHeader(headerBytes, major, file), file);

            long expected = (long) numel(header.shape()) * header.dtype().itemSize();
            long found = size - dataStart;
            if (found != expected) {
                throw new TensorFileException(file, (found < expected ? "truncated data" : "unexpected trailing data")
                        + ": shape " + Arrays.toString(header.shape()) + " of " + header.dtype() + " needs "
                        + expected + " bytes after the header, found " + found);
            }
            Storage storage = Storage.allocate(header.dtype(), numel(header.shape()));
            ChannelArrays.read(ch, dataStart, header.dtype(), header.order(), storage.array(), storage.length());
            return toTensor(storage, header);
        }
    }

    /**
     * Writes {@code tensor} (any strides and offset) to {@code file} as numpy 1.24 would save it, replacing the
     * file if it exists.
     */
    public static void write(Tensor tensor, Path file) throws IOException {
        Tensor dense = tensor.isContiguous() ? tensor : Copy.contiguous(tensor);
        NpyHeader header = new NpyHeader(tensor.dtype(), ByteOrder.LITTLE_ENDIAN, false, tensor.intShape());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ChannelArrays.writeFully(ch, ByteBuffer.wrap(headerBlock(header)));
            ChannelArrays.write(ch, dense.dtype(), ByteOrder.LITTLE_ENDIAN, dense.storage().array(),
                    dense.storageOffset(), (int) dense.numel());
        }
    }

    /**
     * Magic, version 1.0, length and header, padded as numpy's {@code _wrap_header}: with 1 to 64 spaces (never
     * none) and a newline, so that the data starts at a multiple of {@link #ALIGN}.
     */
    static byte[] headerBlock(NpyHeader header) {
        String dict = header.format();
        int preamble = MAGIC.length + 2 + 2;
        int hlen = dict.length() + 1; // with the newline
        int pad = ALIGN - ((preamble + hlen) % ALIGN);
        String text = dict + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(preamble + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        out.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return out.array();
    }

    private static Tensor toTensor(Storage storage, NpyHeader header) {
        int[] shape = header.shape();
        if (!header.fortranOrder() || shape.length < 2) {
            return Tensor.fromStorage(storage, shape, Shapes.contiguousStrides(shape), 0);
        }
        // Column-major: dimension 0 varies fastest. View the data with those strides, then copy into C order.
        int[] strides = new int[shape.length];
        int s = 1;
        for (int d = 0; d < shape.length; d++) {
            strides[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return Copy.contiguous(Tensor.fromStorage(storage, shape, strides, 0));
    }

    private static String decodeHeader(ByteBuffer bytes, int major, Path file) {
        if (major < 3) return new String(bytes.array(), StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new TensorFileException(file, "malformed .npy header: version 3.0 requires UTF-8 text", e);
        }
    }

    /** Reads {@code n} bytes at {@code position} into {@code buf} (from 0) and flips it for reading. */
    private static void readAt(FileChannel ch, ByteBuffer buf, long position, int n) throws IOException {
        buf.clear().limit(n);
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position + buf.position());
            if (r < 0) throw new EOFException("end of file at byte " + (position + buf.position()));
        }
        buf.flip();
    }

    private static int numel(int[] shape) {
        return (int) Shapes.numel(shape);
    }

    private static String describeBytes(byte[] b, int n) {
        if (n == 0) return "an empty file";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, 8); i++) sb.append(String.format("%02x ", b[i] & 0xff));
        return sb.toString().trim() + (n < 10 ? " (the file has only " + n + " bytes)" : "");
    }
}
