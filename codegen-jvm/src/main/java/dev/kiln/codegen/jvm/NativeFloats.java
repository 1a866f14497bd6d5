package dev.kiln.codegen.jvm;

import dev.kiln.eager.kernels.NativeBlas;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * An off-heap float array for OpenBLAS: direct memory (64-byte aligned, zero-filled when made) with a
 * {@link FloatBuffer} view for bulk {@code put}/{@code get} from and to heap arrays (which HotSpot turns into one
 * {@code Unsafe.copyMemory}). {@link NativeGemmCall} makes the JavaCPP pointers into it that {@code cblas_sgemm}
 * takes.
 *
 * <p>The memory is a direct {@link ByteBuffer}, not a JavaCPP allocation, and this class refers to no JavaCPP type,
 * so that making one loads nothing native: a GEMM that runs in Java ({@link NativeBlas#useJava}) reads the view,
 * and a one-shot process never loads JavaCPP or OpenBLAS. It is
 * freed when the buffer becomes unreachable (the JDK's cleaner), so per-thread buffers held by a {@link Frame} and
 * packed weights held by a module need no explicit release; direct memory counts against
 * {@code -XX:MaxDirectMemorySize} (by default the heap's maximum, as JavaCPP's own limit).
 */
final class NativeFloats {
    final FloatBuffer view;
    final int length;

    NativeFloats(long n) {
        if (n > (Integer.MAX_VALUE - 128) / 4) {
            throw new IllegalArgumentException("off-heap buffer of " + n + " floats is larger than 2 GiB");
        }
        length = (int) n;
        // alignedSlice rounds the start up and the end down to 64 bytes: ask for whole lines plus one.
        int bytes = (4 * Math.max(1, length) + 63) & ~63;
        view = ByteBuffer.allocateDirect(bytes + 64).alignedSlice(64).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** A buffer holding a copy of {@code src}. */
    static NativeFloats of(float[] src) {
        NativeFloats b = new NativeFloats(src.length);
        b.view.put(0, src, 0, src.length);
        return b;
    }

    /**
     * Copies all of {@code src} over this buffer's first {@code src.length} floats (direct-to-direct bulk copy;
     * it allocates no result object).
     */
    void copyFrom(NativeFloats src) {
        view.put(0, src.view, 0, src.length);
    }
}
