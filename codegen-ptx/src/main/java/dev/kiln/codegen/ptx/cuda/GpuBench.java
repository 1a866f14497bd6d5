package dev.kiln.codegen.ptx.cuda;

import dev.kiln.codegen.ptx.GeneratedKernel;
import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelGenerator;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelSpec;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelSpec.Output;
import dev.kiln.codegen.ptx.kernels.GemmKernelGenerator;
import dev.kiln.codegen.ptx.kernels.GemmSpec;
import dev.kiln.codegen.ptx.kernels.ScalarExpr;
import dev.kiln.codegen.ptx.kernels.TensorOperand;
import dev.kiln.ir.DType;
import java.util.List;
import java.util.Locale;

/**
 * Prints a table of GPU throughput: fused elementwise kernels in GB/s against a device-to-device copy measured in
 * the same run, and the GEMM in GFLOP/s at 1024, 2048 and 4096 (FP32 exact and TF32). Times are CUDA-event
 * averages over repetitions after one warm-up run. Exits with status 2, printing "no CUDA device: ...", where
 * there is no GPU. Usage: {@code java -cp ... dev.kiln.codegen.ptx.cuda.GpuBench [elements-log2]} (default 26).
 */
public final class GpuBench {
    private GpuBench() {}

    public static void main(String[] args) {
        CudaAvailability.Status s = CudaAvailability.check();
        System.out.println(s.describe());
        if (!s.available()) System.exit(2);
        int log2 = args.length > 0 ? Integer.parseInt(args[0]) : 26;
        try (CudaDevice dev = new CudaDevice()) {
            elementwise(dev, 1 << log2);
            gemm(dev);
        }
    }

    private static void elementwise(CudaDevice dev, int n) {
        long bytes = 4L * n;
        try (DeviceBuffer x = dev.allocate(bytes); DeviceBuffer y = dev.allocate(bytes); DeviceBuffer out = dev.allocate(bytes);
                DeviceBuffer scalar = dev.allocate(4); DeviceBuffer row = dev.allocate(4096)) {
            float copyMs = dev.time(() -> dev.copy(out, x, bytes), 20);
            double copyGbs = 2.0 * bytes / copyMs / 1e6;
            System.out.printf(Locale.ROOT, "%n%-44s %10s %10s %8s%n", "elementwise (" + n + " f32)", "ms", "GB/s", "of copy");
            System.out.printf(Locale.ROOT, "%-44s %10.4f %10.1f %7.0f%%%n", "device-to-device copy (read + write)", copyMs, copyGbs, 100.0);
            long[] shape = {n / 1024, 1024};
            TensorOperand cx = TensorOperand.contiguous(DType.FLOAT32, shape);
            TensorOperand bcast = TensorOperand.broadcast(DType.FLOAT32, new long[0], new long[0], 0, shape);
            TensorOperand bias = TensorOperand.broadcast(DType.FLOAT32, new long[] {1024}, new long[] {1}, 0, shape);
            ScalarExpr in0 = ScalarExpr.input(0);
            ScalarExpr in1 = ScalarExpr.input(1);
            ScalarExpr in2 = ScalarExpr.input(2);
            report(dev, "relu(x * s + y), s scalar [3 streams]", 3 * bytes, copyGbs,
                    spec("bench_relu_fma", shape, List.of(cx, bcast, cx),
                            ScalarExpr.apply(ScalarOp.RELU, ScalarExpr.apply(ScalarOp.ADD, ScalarExpr.apply(ScalarOp.MUL, in0, in1), in2))),
                    x, scalar, y, out);
            report(dev, "gelu(x + b), b [1024] broadcast [2 streams]", 2 * bytes, copyGbs,
                    spec("bench_gelu_bias", shape, List.of(cx, bias), ScalarExpr.apply(ScalarOp.GELU, ScalarExpr.apply(ScalarOp.ADD, in0, in1))),
                    x, row, out);
            report(dev, "sigmoid(x) * tanh(y) [3 streams]", 3 * bytes, copyGbs,
                    spec("bench_sig_tanh", shape, List.of(cx, cx),
                            ScalarExpr.apply(ScalarOp.MUL, ScalarExpr.apply(ScalarOp.SIGMOID, in0), ScalarExpr.apply(ScalarOp.TANH, in1))),
                    x, y, out);
        }
    }

    private static GeneratedKernel spec(String name, long[] shape, List<TensorOperand> inputs, ScalarExpr value) {
        return ElementwiseKernelGenerator.generate(new ElementwiseKernelSpec(name, shape, inputs,
                List.of(new Output(value, DType.FLOAT32))), PtxTarget.SM80);
    }

    private static void report(CudaDevice dev, String label, long movedBytes, double copyGbs, GeneratedKernel k, DeviceBuffer... bufs) {
        float ms = dev.time(() -> KernelLaunches.run(dev, k, bufs), 20);
        double gbs = movedBytes / ms / 1e6;
        System.out.printf(Locale.ROOT, "%-44s %10.4f %10.1f %7.0f%%%n", label, ms, gbs, 100 * gbs / copyGbs);
    }

    private static void gemm(CudaDevice dev) {
        System.out.printf(Locale.ROOT, "%n%-28s %8s %10s %10s%n", "GEMM C = A B (square)", "n", "ms", "GFLOP/s");
        for (GemmSpec.Precision p : GemmSpec.Precision.values()) {
            GemmSpec spec = new GemmSpec("bench_gemm", p, false, false, null);
            PtxKernel kernel = GemmKernelGenerator.generate(spec, PtxTarget.SM80);
            for (int n : new int[] {1024, 2048, 4096}) {
                long bytes = 4L * n * n;
                try (DeviceBuffer a = dev.allocate(bytes); DeviceBuffer b = dev.allocate(bytes); DeviceBuffer c = dev.allocate(bytes)) {
                    float[] host = new float[n * n];
                    for (int i = 0; i < host.length; i++) host[i] = (i % 17) * 0.01f - 0.08f;
                    a.upload(host);
                    b.upload(host);
                    int reps = n >= 4096 ? 5 : 20;
                    float ms = dev.time(() -> KernelLaunches.gemm(dev, kernel, spec, a, b, c, null, n, n, n, 1, 0, 0, 0), reps);
                    System.out.printf(Locale.ROOT, "%-28s %8d %10.3f %10.0f%n", p == GemmSpec.Precision.FP32 ? "FP32 (FFMA, exact)" : "TF32 (mma.sync m16n8k8)",
                            n, ms, 2.0 * n * n * n / ms / 1e6);
                }
            }
        }
    }
}
