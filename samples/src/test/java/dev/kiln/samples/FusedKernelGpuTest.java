package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.cuda.CudaAvailability;
import dev.kiln.codegen.ptx.cuda.CudaDevice;
import dev.kiln.codegen.ptx.cuda.DeviceBuffer;
import dev.kiln.codegen.ptx.cuda.KernelLaunches;
import dev.kiln.codegen.ptx.kir.KernelIrRenderer;
import dev.kiln.codegen.ptx.kir.RenderedKernel;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.kernel.Kernel;
import dev.kiln.passes.kernel.KernelInterpreter;
import dev.kiln.passes.util.TensorBridge;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On a GPU: every fusion group of every conformance case, rendered from kernel IR to PTX and run on the device,
 * against the kernel IR interpreter ({@link KernelInterpreter}) on the same operands, within the pass pipeline's
 * kernel tolerance (1e-5 absolute and relative; the GPU's transcendentals are a few ulp from correctly rounded).
 * Skipped where no CUDA device is present; {@code scripts/gpu-check.sh run} counts that skip as a failure.
 */
class FusedKernelGpuTest {
    static Stream<String> cases() { return TracedConformanceTest.cases(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fusedKernelsOnTheGpuMatchTheKernelInterpreter(String name) {
        CudaAvailability.Status s = CudaAvailability.check();
        assumeTrue(s.available(), s::describe);
        try (CudaDevice device = new CudaDevice()) {
            for (FusedKernelCases.Group g : FusedKernelCases.groups(name)) check(device, g);
        }
    }

    private static void check(CudaDevice device, FusedKernelCases.Group g) {
        Kernel k = g.lowered().kernel();
        RenderedKernel r = KernelIrRenderer.render(k, g.entryName(), PtxTarget.SM80);
        List<Tensor> operands = g.operands();
        List<Tensor> runtime = new ArrayList<>();
        for (int i = 0; i < k.operands().size(); i++) if (k.operands().get(i).constant() == null) runtime.add(operands.get(i));
        List<Tensor> want = KernelInterpreter.run(k, runtime, g.bindings());
        List<DeviceBuffer> all = new ArrayList<>();
        try {
            DeviceBuffer[] in = new DeviceBuffer[operands.size()];
            for (int op : r.operandParams()) {
                byte[] bytes = toBytes(operands.get(op));
                in[op] = device.allocate(Math.max(1, bytes.length));
                in[op].upload(bytes);
                all.add(in[op]);
            }
            DeviceBuffer[] out = new DeviceBuffer[k.stores().size()];
            for (int s = 0; s < out.length; s++) {
                out[s] = device.allocate(Math.max(1, want.get(s).numel() * want.get(s).dtype().itemSize()));
                all.add(out[s]);
            }
            KernelLaunches.run(device, r, g.bindings(), in, out);
            device.synchronize();
            for (int s = 0; s < out.length; s++) {
                Tensor expected = want.get(s);
                byte[] bytes = new byte[(int) (expected.numel() * expected.dtype().itemSize())];
                out[s].download(bytes);
                compare(g + " output " + s, TensorBridge.data(expected), bytes, k.stores().get(s).type());
            }
        } finally {
            for (DeviceBuffer b : all) b.close();
        }
    }

    private static byte[] toBytes(Tensor t) {
        TensorData d = TensorBridge.data(t.contiguous());
        ByteBuffer buf = ByteBuffer.allocate(d.numel() * d.dtype().itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < d.numel(); i++) {
            Object e = d.element(i);
            switch (d.dtype()) {
                case FLOAT32 -> buf.putFloat(((Number) e).floatValue());
                case FLOAT64 -> buf.putDouble(((Number) e).doubleValue());
                case INT32 -> buf.putInt(((Number) e).intValue());
                case INT64 -> buf.putLong(((Number) e).longValue());
                case BOOL -> buf.put((byte) ((Boolean) e ? 1 : 0));
            }
        }
        return buf.array();
    }

    private static void compare(String what, TensorData expected, byte[] actual, TensorType type) {
        ByteBuffer buf = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
        DType t = type.dtype();
        for (int i = 0; i < expected.numel(); i++) {
            Object e = expected.element(i);
            double want = e instanceof Boolean b ? (b ? 1 : 0) : ((Number) e).doubleValue();
            double got = switch (t) {
                case FLOAT32 -> buf.getFloat();
                case FLOAT64 -> buf.getDouble();
                case INT32 -> buf.getInt();
                case INT64 -> buf.getLong();
                case BOOL -> buf.get();
            };
            if (Double.isNaN(want)) {
                assertTrue(Double.isNaN(got), what + "[" + i + "]: expected NaN, found " + got);
            } else if (t == DType.FLOAT32 || t == DType.FLOAT64) {
                assertTrue(Math.abs(got - want) <= 1e-5 + 1e-5 * Math.abs(want) || got == want,
                        what + "[" + i + "]: expected " + want + ", found " + got);
            } else {
                assertEquals(want, got, what + "[" + i + "]");
            }
        }
    }
}
