package dev.kiln.codegen.ptx.cuda;

import dev.kiln.codegen.ptx.GeneratedKernel;
import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.kernels.GemmKernelGenerator;
import dev.kiln.codegen.ptx.kernels.GemmSpec;
import dev.kiln.codegen.ptx.kir.RenderedKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Argument marshalling for the generated kernel kinds, in the parameter order each spec documents. */
public final class KernelLaunches {
    private KernelLaunches() {}

    /** Launches a shape-specialised kernel (elementwise, row reduction) on its buffers in parameter order. */
    public static void run(CudaDevice device, GeneratedKernel k, DeviceBuffer... buffers) {
        device.launch(k.kernel(), k.launch(), (Object[]) buffers);
    }

    /**
     * Launches a kernel rendered from kernel IR: {@code operands} indexed by kernel operand (entries for operands the
     * kernel does not read may be null), {@code outputs} one per store, the symbolic sizes evaluated under
     * {@code bindings}. Every buffer holds a dense row-major tensor of its operand's or store's type.
     */
    public static void run(CudaDevice device, RenderedKernel k, Map<String, Long> bindings, DeviceBuffer[] operands,
            DeviceBuffer[] outputs) {
        if (outputs.length != k.source().stores().size()) {
            throw new IllegalArgumentException("launch of " + k.kernel().name() + ": expected "
                    + k.source().stores().size() + " output buffers, found " + outputs.length);
        }
        List<Object> args = new ArrayList<>();
        for (int op : k.operandParams()) {
            if (operands[op] == null) {
                throw new IllegalArgumentException("launch of " + k.kernel().name() + ": operand " + op + " is read "
                        + "but has no buffer");
            }
            args.add(operands[op]);
        }
        args.addAll(List.of(outputs));
        for (long v : k.sizeArguments(bindings)) args.add((int) v);
        device.launch(k.kernel(), k.launch(bindings), args.toArray());
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
