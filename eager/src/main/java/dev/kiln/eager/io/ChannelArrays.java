package dev.kiln.eager.io;

import dev.kiln.ir.DType;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Moves primitive arrays between a {@link FileChannel} and the heap through one reusable chunk buffer, converting
 * byte order with {@link ByteBuffer}'s bulk views (which the JIT turns into plain memory copies or byte swaps).
 * Working in chunks keeps memory flat for big tensors and lifts the 2 GiB limit of a single {@code ByteBuffer}.
 * Booleans are one byte each: 0 is false, anything else true; they are written as 0 and 1.
 */
final class ChannelArrays {
    private static final int CHUNK = 1 << 20;

    private ChannelArrays() {}

    /**
     * Fills {@code array[0, count)} (a float[], double[], int[], long[] or boolean[] matching {@code dtype}) from
     * {@code channel} starting at byte {@code position}. Throws {@link EOFException} if the file ends first.
     */
    static void read(FileChannel channel, long position, DType dtype, ByteOrder order, Object array, int count)
            throws IOException {
        int item = dtype.itemSize();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(item, (long) count * item))).order(order);
        int perChunk = buf.capacity() / item;
        long pos = position;
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            buf.clear().limit(n * item);
            while (buf.hasRemaining()) {
                int r = channel.read(buf, pos);
                if (r < 0) throw new EOFException("end of file at byte " + pos);
                pos += r;
            }
            buf.flip();
            switch (dtype) {
                case FLOAT32 -> buf.asFloatBuffer().get((float[]) array, done, n);
                case FLOAT64 -> buf.asDoubleBuffer().get((double[]) array, done, n);
                case INT32 -> buf.asIntBuffer().get((int[]) array, done, n);
                case INT64 -> buf.asLongBuffer().get((long[]) array, done, n);
                case BOOL -> {
                    boolean[] b = (boolean[]) array;
                    for (int i = 0; i < n; i++) b[done + i] = buf.get(i) != 0;
                }
            }
            done += n;
        }
    }

    /** Writes {@code array[offset, offset + count)} to {@code channel} at its current position. */
    static void write(FileChannel channel, DType dtype, ByteOrder order, Object array, int offset, int count)
            throws IOException {
        int item = dtype.itemSize();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(item, (long) count * item))).order(order);
        int perChunk = buf.capacity() / item;
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            int from = offset + done;
            buf.clear();
            switch (dtype) {
                case FLOAT32 -> buf.asFloatBuffer().put((float[]) array, from, n);
                case FLOAT64 -> buf.asDoubleBuffer().put((double[]) array, from, n);
                case INT32 -> buf.asIntBuffer().put((int[]) array, from, n);
                case INT64 -> buf.asLongBuffer().put((long[]) array, from, n);
                case BOOL -> {
                    boolean[] b = (boolean[]) array;
                    for (int i = 0; i < n; i++) buf.put(i, (byte) (b[from + i] ? 1 : 0));
                }
            }
            buf.limit(n * item); // the typed views do not move the byte buffer's position
            writeFully(channel, buf);
            done += n;
        }
    }

    static void writeFully(FileChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) channel.write(buf);
    }
}
