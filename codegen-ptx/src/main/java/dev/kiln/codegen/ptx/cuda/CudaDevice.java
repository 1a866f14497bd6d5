package dev.kiln.codegen.ptx.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.kiln.codegen.ptx.LaunchConfig;
import dev.kiln.codegen.ptx.PtxKernel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUevent_flags;

/**
 * GPU 0 through JCuda's driver API: its primary context, one stream on which every launch and device-side copy is
 * queued in order, and the modules loaded from PTX text ({@code cuModuleLoadData}; the driver JIT-compiles the
 * PTX for the actual GPU, once per distinct text, cached here).
 *
 * <p>Open only after {@link CudaAvailability#check()} said a device is present. Every public method first makes
 * the context current on the calling thread, so the object may be used from any one thread at a time.
 */
public final class CudaDevice implements AutoCloseable {
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final List<CUmodule> loaded = new ArrayList<>();
    private boolean closed;

    public CudaDevice() {
        CudaAvailability.Status s = CudaAvailability.check();
        if (!s.available()) throw new IllegalStateException(s.describe());
        cuDeviceGet(device, 0);
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        cuStreamCreate(stream, 0);
    }

    void makeCurrent() {
        if (closed) throw new IllegalStateException("CUDA device used after close");
        cuCtxSetCurrent(context);
    }

    /** A zero-filled device allocation (at least 1 byte, so empty tensors still get a valid pointer). */
    public DeviceBuffer allocate(long bytes) {
        makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        long n = Math.max(1, bytes);
        cuMemAlloc(p, n);
        cuMemsetD8Async(p, (byte) 0, n, stream);
        return new DeviceBuffer(this, p, bytes);
    }

    /** The kernel's function handle, loading its module on first use. */
    public CUfunction function(PtxKernel kernel) {
        makeCurrent();
        CUmodule module = modules.get(kernel.ptx());
        if (module == null) {
            module = new CUmodule();
            // The driver wants a NUL-terminated image.
            cuModuleLoadData(module, (kernel.ptx() + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            modules.put(kernel.ptx(), module);
            loaded.add(module);
        }
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, module, kernel.name());
        return f;
    }

    /**
     * Queues a launch. Arguments map to kernel parameters in order: {@link DeviceBuffer} to its {@code .u64} pointer,
     * {@code Integer} to {@code .u32}, {@code Long} to {@code .u64}, {@code Float} to {@code .f32}.
     */
    public void launch(PtxKernel kernel, LaunchConfig cfg, Object... args) {
        CUfunction f = function(kernel);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) params[i] = argument(kernel, i, args[i]);
        cuLaunchKernel(f, cfg.gridX(), cfg.gridY(), cfg.gridZ(), cfg.blockX(), 1, 1, 0, stream, Pointer.to(params), null);
    }

    private static Pointer argument(PtxKernel kernel, int i, Object a) {
        if (a instanceof DeviceBuffer d) return Pointer.to(d.pointer());
        if (a instanceof Integer v) return Pointer.to(new int[] {v});
        if (a instanceof Long v) return Pointer.to(new long[] {v});
        if (a instanceof Float v) return Pointer.to(new float[] {v});
        throw new IllegalArgumentException("launch of " + kernel.name() + ": argument " + i
                + ": expected DeviceBuffer, Integer, Long or Float, found " + (a == null ? "null" : a.getClass().getSimpleName()));
    }

    /** Queues a device-to-device copy of {@code bytes} bytes. */
    public void copy(DeviceBuffer dst, DeviceBuffer src, long bytes) {
        makeCurrent();
        cuMemcpyDtoDAsync(dst.pointer(), src.pointer(), bytes, stream);
    }

    /** Waits for everything queued so far. */
    public void synchronize() {
        makeCurrent();
        cuStreamSynchronize(stream);
    }

    /** Milliseconds the stream spends on {@code work} (CUDA events recorded around it), after one untimed run. */
    public float time(Runnable work, int repetitions) {
        makeCurrent();
        work.run();
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
        try {
            cuEventRecord(start, stream);
            for (int r = 0; r < repetitions; r++) work.run();
            cuEventRecord(stop, stream);
            cuEventSynchronize(stop);
            float[] ms = {0};
            cuEventElapsedTime(ms, start, stop);
            return ms[0] / repetitions;
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(stop);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        makeCurrent();
        cuStreamSynchronize(stream);
        for (CUmodule m : loaded) cuModuleUnload(m);
        cuStreamDestroy(stream);
        closed = true;
        cuDevicePrimaryCtxRelease(device);
    }
}
