package dev.kiln.codegen.jvm;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * An off-heap float array for OpenBLAS: a JavaCPP {@link FloatPointer} (what {@code cblas_sgemm} takes) and a direct
 * {@link FloatBuffer} view of the same memory (bulk {@code put}/{@code get} from and to heap arrays, which HotSpot
 * turns into one {@code Unsafe.copyMemory}). Zero-filled when made. Freed by {@link #close()}, or by JavaCPP's own
 * deallocator once the object is unreachable (JavaCPP tracks every pointer it allocates with a phantom reference),
 * so per-thread buffers held by a {@link Frame} need no explicit release.
 */
final class NativeFloats implements AutoCloseable {
    final FloatPointer ptr;
    final FloatBuffer view;
    final int length;

    NativeFloats(long n) {
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("off-heap buffer of " + n + " floats > 2^31-1");
        length = (int) n;
        ptr = new FloatPointer(Math.max(1, n));
        Pointer.memset(ptr, 0, 4L * Math.max(1, n));
        view = ptr.asBuffer();
    }

    /** A buffer holding a copy of {@code src}. */
    static NativeFloats of(float[] src) {
        NativeFloats b = new NativeFloats(src.length);
        b.view.put(0, src, 0, src.length);
        return b;
    }

    /** A pointer to element {@code offset} of this buffer (a new JavaCPP object sharing the memory). */
    FloatPointer at(long offset) {
        return offset == 0 ? ptr : new FloatPointer(ptr).position(offset);
    }

    /**
     * Copies all of {@code src} over this buffer's first {@code src.length} floats (direct-to-direct bulk copy;
     * unlike JavaCPP's {@code Pointer.memcpy}, it allocates no result object).
     */
    void copyFrom(NativeFloats src) {
        view.put(0, src.view, 0, src.length);
    }

    @Override
    public void close() { ptr.close(); }
}
