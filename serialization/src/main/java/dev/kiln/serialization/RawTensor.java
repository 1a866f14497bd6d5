package dev.kiln.serialization;

import dev.kiln.ir.DType;
import dev.kiln.ir.graph.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as the archive stores it: dtype, static shape and row-major little-endian bytes (bool: one byte, 0 or
 * 1), exactly the bytes of its {@code kiln/data/<n>} entry.
 *
 * <p>The bytes may be a read-only memory mapping of the archive file (large tensors, as the reader loads them), so
 * that loading does not copy the archive onto the heap; {@link #toArray()} or {@link #toTensorData()} make the one
 * copy a runtime needs. A mapping stays valid after the reader has closed the file.
 *
 * <p>Invariants: {@code data.remaining() == numel * dtype.itemSize()} (so at most 2 GiB per tensor); bool bytes are
 * 0 or 1; the buffer is never exposed writable. Immutable; equality by dtype, shape and bytes.
 */
public final class RawTensor {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    private RawTensor(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** The bytes of {@code t}'s elements. */
    public static RawTensor of(TensorData t) {
        return new RawTensor(t.dtype(), t.shape(), encode(t.dtype(), t.array()).asReadOnlyBuffer());
    }

    /** A tensor of {@code dtype} and {@code shape} holding a copy of {@code elements} (a primitive array). */
    public static RawTensor of(DType dtype, long[] shape, Object elements) {
        return of(TensorData.of(dtype, shape, elements));
    }

    /**
     * Wraps {@code bytes} (from its position to its limit; not copied) as a tensor; throws
     * {@link IllegalArgumentException} when the length does not equal {@code numel * itemSize} or a bool byte is
     * neither 0 nor 1.
     */
    public static RawTensor wrap(DType dtype, long[] shape, ByteBuffer bytes) {
        Objects.requireNonNull(dtype, "dtype");
        long expected = byteLength(dtype, shape);
        if (bytes.remaining() != expected) {
            throw new IllegalArgumentException(dtype.irName() + Arrays.toString(shape) + " needs " + expected
                    + " bytes, found " + bytes.remaining());
        }
        ByteBuffer view = bytes.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.BOOL) {
            for (int i = 0; i < view.limit(); i++) {
                byte b = view.get(i);
                if (b != 0 && b != 1) {
                    throw new IllegalArgumentException("bool element " + i + " is byte " + (b & 0xff)
                            + ", expected 0 or 1");
                }
            }
        }
        return new RawTensor(dtype, shape.clone(), view);
    }

    /** {@code numel * itemSize}; throws when a size is negative or the tensor exceeds 2 GiB. */
    static long byteLength(DType dtype, long[] shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, s);
        }
        long bytes = Math.multiplyExact(n, (long) dtype.itemSize());
        if (bytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("tensor " + dtype.irName() + Arrays.toString(shape) + " has " + bytes
                    + " bytes; archives hold tensors of at most 2 GiB each");
        }
        return bytes;
    }

    public DType dtype() { return dtype; }

    public long[] shape() { return shape.clone(); }

    public long numel() { return data.limit() / dtype.itemSize(); }

    public int byteLength() { return data.limit(); }

    /** The bytes, read-only, little-endian, position 0. */
    public ByteBuffer data() { return data.duplicate().order(ByteOrder.LITTLE_ENDIAN); }

    /** The elements as a fresh primitive array of the dtype ({@code float[]} for f32, {@code boolean[]} for bool...). */
    public Object toArray() {
        ByteBuffer b = data();
        int n = (int) numel();
        switch (dtype) {
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = b.get(i) != 0;
                return a;
            }
            case INT32 -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                return a;
            }
            case INT64 -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                return a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                return a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                b.asDoubleBuffer().get(a);
                return a;
            }
        }
        throw new AssertionError(dtype);
    }

    public TensorData toTensorData() { return TensorData.of(dtype, shape, toArray()); }

    /** The little-endian bytes of a primitive array of {@code dtype}'s element type. */
    static ByteBuffer encode(DType dtype, Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        ByteBuffer b = ByteBuffer.allocate(n * dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case BOOL -> {
                boolean[] a = (boolean[]) array;
                for (int i = 0; i < n; i++) b.put(i, (byte) (a[i] ? 1 : 0));
            }
            case INT32 -> b.asIntBuffer().put((int[]) array);
            case INT64 -> b.asLongBuffer().put((long[]) array);
            case FLOAT32 -> b.asFloatBuffer().put((float[]) array);
            case FLOAT64 -> b.asDoubleBuffer().put((double[]) array);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && t.data().equals(data());
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(shape) + data().hashCode(); }

    @Override
    public String toString() { return dtype.irName() + Arrays.toString(shape) + " (" + byteLength() + " bytes)"; }
}
