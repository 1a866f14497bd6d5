package dev.kiln.codegen.ptx.cuda;

import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * A device allocation of {@code bytes} bytes, owned by one {@link CudaDevice}; closed (freed) exactly once.
 * Copies are synchronous and wait for the device's stream first, so they see every kernel queued before them:
 * they are meant for the model boundary only (inputs in, outputs out), never between kernels.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final CudaDevice owner;
    private final CUdeviceptr ptr;
    private final long bytes;
    private boolean freed;

    DeviceBuffer(CudaDevice owner, CUdeviceptr ptr, long bytes) {
        this.owner = owner;
        this.ptr = ptr;
        this.bytes = bytes;
    }

    public long bytes() { return bytes; }

    /** The device pointer (for kernel arguments). */
    public CUdeviceptr pointer() {
        if (freed) throw new IllegalStateException("device buffer used after close");
        return ptr;
    }

    public void upload(float[] src) { upload(Pointer.to(src), (long) src.length * 4); }
    public void upload(int[] src) { upload(Pointer.to(src), (long) src.length * 4); }
    public void upload(long[] src) { upload(Pointer.to(src), (long) src.length * 8); }
    public void upload(byte[] src) { upload(Pointer.to(src), src.length); }

    public void download(float[] dst) { download(Pointer.to(dst), (long) dst.length * 4); }
    public void download(byte[] dst) { download(Pointer.to(dst), dst.length); }

    private void upload(Pointer host, long n) {
        check(n);
        owner.synchronize();
        if (n > 0) cuMemcpyHtoD(pointer(), host, n);
    }

    private void download(Pointer host, long n) {
        check(n);
        owner.synchronize();
        if (n > 0) cuMemcpyDtoH(host, pointer(), n);
    }

    private void check(long n) {
        if (n > bytes) throw new IllegalArgumentException("device copy: expected at most " + bytes + " bytes, found " + n);
    }

    @Override
    public void close() {
        if (freed) return;
        freed = true;
        owner.makeCurrent();
        cuMemFree(ptr);
    }
}
