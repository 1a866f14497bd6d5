package dev.kiln.codegen.ptx.cuda;

import dev.kiln.codegen.ptx.GeneratedKernel;
import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.kernels.GemmKernelGenerator;
import dev.kiln.codegen.ptx.kernels.GemmSpec;
import java.util.ArrayList;
import java.util.List;

/** Argument marshalling for the generated kernel kinds, in the parameter order each spec documents. */
public final class KernelLaunches {
    private KernelLaunches() {}

    /** Launches a shape-specialised kernel (elementwise, row reduction) on its buffers in parameter order. */
    public static void run(CudaDevice device, GeneratedKernel k, DeviceBuffer... buffers) {
        device.launch(k.kernel(), k.launch(), (Object[]) buffers);
    }

    /**
     * Launches a GEMM kernel: {@code bias} must be non-null exactly when the spec has one; strides are elements
     * between batch items (0 to broadcast a matrix).
     */
    public static void gemm(CudaDevice device, PtxKernel kernel, GemmSpec spec, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c,
            DeviceBuffer bias, int m, int n, int k, int batch, long strideA, long strideB, long strideC) {
        if ((bias != null) != spec.hasBias()) {
            throw new IllegalArgumentException("gemm " + spec.name() + ": bias: expected " + (spec.hasBias() ? "a buffer" : "none")
                    + ", found " + (bias == null ? "none" : "a buffer"));
        }
        List<Object> args = new ArrayList<>(List.of(a, b, c));
        if (bias != null) args.add(bias);
        args.addAll(List.of(m, n, k, strideA, strideB, strideC));
        device.launch(kernel, GemmKernelGenerator.launch(m, n, batch), args.toArray());
    }
}
