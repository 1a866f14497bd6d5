package dev.kiln.codegen.ptx.gpu;

import static dev.kiln.codegen.ptx.gpu.GpuTestSupport.assertClose;
import static dev.kiln.codegen.ptx.gpu.GpuTestSupport.deviceOrSkip;
import static dev.kiln.codegen.ptx.gpu.GpuTestSupport.erf;
import static dev.kiln.codegen.ptx.gpu.GpuTestSupport.random;

import dev.kiln.codegen.ptx.GeneratedKernel;
import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.cuda.CudaDevice;
import dev.kiln.codegen.ptx.cuda.DeviceBuffer;
import dev.kiln.codegen.ptx.cuda.KernelLaunches;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelGenerator;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelSpec;
import dev.kiln.codegen.ptx.kernels.ElementwiseKernelSpec.Output;
import dev.kiln.codegen.ptx.kernels.GemmKernelGenerator;
import dev.kiln.codegen.ptx.kernels.GemmSpec;
import dev.kiln.codegen.ptx.kernels.RowReductionGenerator;
import dev.kiln.codegen.ptx.kernels.RowReductionSpec;
import dev.kiln.codegen.ptx.kernels.ScalarExpr;
import dev.kiln.codegen.ptx.kernels.TensorOperand;
import dev.kiln.ir.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs generated kernels on the GPU and compares with float64 references written out here as plain loops.
 * Every test skips itself (JUnit assumption) where no CUDA device is present.
 */
class GpuKernelTest {

    @Test
    void elementwiseWithBroadcastingMaskAndBoolOutput() {
        try (CudaDevice dev = deviceOrSkip()) {
            long[] shape = {4, 3, 8};
            ScalarExpr sum = ScalarExpr.apply(ScalarOp.ADD, ScalarExpr.input(0), ScalarExpr.input(1));
            ElementwiseKernelSpec spec = new ElementwiseKernelSpec("ew", shape, List.of(
                    TensorOperand.contiguous(DType.FLOAT32, shape),
                    TensorOperand.broadcast(DType.FLOAT32, new long[] {8}, new long[] {1}, 0, shape),
                    TensorOperand.broadcast(DType.BOOL, new long[] {3, 1}, new long[] {1, 1}, 0, shape)),
                    List.of(new Output(ScalarExpr.apply(ScalarOp.WHERE, ScalarExpr.input(2),
                            ScalarExpr.apply(ScalarOp.GELU, sum), ScalarExpr.constant(-1)), DType.FLOAT32),
                            new Output(ScalarExpr.apply(ScalarOp.GT, ScalarExpr.input(0), ScalarExpr.constant(0)), DType.BOOL)));
            float[] x = random(1, 96, -3, 3);
            float[] bias = random(2, 8, -1, 1);
            byte[] mask = {1, 0, 1};
            double[] want = new double[96];
            double[] wantPos = new double[96];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 8; k++) {
                int e = i * 24 + j * 8 + k;
                double v = (double) x[e] + bias[k];
                want[e] = mask[j] != 0 ? 0.5 * v * (1 + erf(v / Math.sqrt(2))) : -1;
                wantPos[e] = x[e] > 0 ? 1 : 0;
            }
            try (DeviceBuffer dx = dev.allocate(96 * 4); DeviceBuffer db = dev.allocate(32); DeviceBuffer dm = dev.allocate(3);
                    DeviceBuffer out = dev.allocate(96 * 4); DeviceBuffer pos = dev.allocate(96)) {
                dx.upload(x);
                db.upload(bias);
                dm.upload(mask);
                KernelLaunches.run(dev, ElementwiseKernelGenerator.generate(spec, PtxTarget.SM80), dx, db, dm, out, pos);
                float[] got = new float[96];
                out.download(got);
                byte[] gotPos = new byte[96];
                pos.download(gotPos);
                assertClose(want, got, 1e-6, 1e-5, "where(mask, gelu(x + b), -1)");
                float[] posF = new float[96];
                for (int i = 0; i < 96; i++) posF[i] = gotPos[i];
                assertClose(wantPos, posF, 0, 0, "x > 0");
            }
        }
    }

    @Test
    void elementwiseVectorPathTranscendentals() {
        try (CudaDevice dev = deviceOrSkip()) {
            int n = 1 << 16;
            long[] shape = {n};
            TensorOperand c = TensorOperand.contiguous(DType.FLOAT32, shape);
            ScalarExpr x = ScalarExpr.input(0);
            List<ScalarOp> ops = List.of(ScalarOp.EXP, ScalarOp.LOG, ScalarOp.TANH, ScalarOp.SIGMOID, ScalarOp.SIN, ScalarOp.SQRT);
            for (ScalarOp op : ops) {
                ElementwiseKernelSpec spec = new ElementwiseKernelSpec("ew_" + op.name().toLowerCase(), shape, List.of(c),
                        List.of(new Output(ScalarExpr.apply(op, x), DType.FLOAT32)));
                boolean positive = op == ScalarOp.LOG || op == ScalarOp.SQRT;
                float[] in = random(op.ordinal(), n, positive ? 1e-3 : -20, 20);
                double[] want = new double[n];
                for (int i = 0; i < n; i++) {
                    double v = in[i];
                    want[i] = switch (op) {
                        case EXP -> Math.exp(v);
                        case LOG -> Math.log(v);
                        case TANH -> Math.tanh(v);
                        case SIGMOID -> 1 / (1 + Math.exp(-v));
                        case SIN -> Math.sin(v);
                        default -> Math.sqrt(v);
                    };
                }
                try (DeviceBuffer di = dev.allocate(4L * n); DeviceBuffer out = dev.allocate(4L * n)) {
                    di.upload(in);
                    KernelLaunches.run(dev, ElementwiseKernelGenerator.generate(spec, PtxTarget.SM80), di, out);
                    float[] got = new float[n];
                    out.download(got);
                    assertClose(want, got, 2e-6, 2e-6, op.name());
                }
            }
        }
    }

    @Test
    void rowReductionsOnAStridedView() {
        try (CudaDevice dev = deviceOrSkip()) {
            int a = 5, b = 3, n = 300;
            // Storage [a][n][b] viewed as [a, b, n]: strides (n*b, 1, b), offset 0.
            float[] store = random(7, a * b * n, -4, 4);
            float[] w = random(8, n, 0.5, 1.5);
            float[] bias = random(9, n, -1, 1);
            TensorOperand view = new TensorOperand(DType.FLOAT32, new long[] {(long) n * b, 1, b}, 0);
            for (RowReductionSpec.Kind kind : RowReductionSpec.Kind.values()) {
                boolean ln = kind == RowReductionSpec.Kind.LAYER_NORM;
                RowReductionSpec spec = new RowReductionSpec("rr", kind, new long[] {a, b, n}, view, 1e-5, ln, ln);
                GeneratedKernel k = RowReductionGenerator.generate(spec, PtxTarget.SM80);
                int outLen = kind.reducesDim() ? a * b : a * b * n;
                double[] want = new double[outLen];
                for (int r = 0; r < a * b; r++) {
                    double[] row = new double[n];
                    for (int c = 0; c < n; c++) row[c] = store[(r / b) * n * b + (r % b) + c * b];
                    double sum = 0, max = Double.NEGATIVE_INFINITY, es = 0, vs = 0;
                    for (double v : row) { sum += v; max = Math.max(max, v); }
                    for (double v : row) es += Math.exp(v - max);
                    double mean = sum / n;
                    for (double v : row) vs += (v - mean) * (v - mean);
                    double rstd = 1 / Math.sqrt(vs / n + 1e-5);
                    switch (kind) {
                        case SUM -> want[r] = sum;
                        case MEAN -> want[r] = mean;
                        case MAX -> want[r] = max;
                        default -> {
                            for (int c = 0; c < n; c++) {
                                want[r * n + c] = switch (kind) {
                                    case SOFTMAX -> Math.exp(row[c] - max) / es;
                                    case LOG_SOFTMAX -> row[c] - max - Math.log(es);
                                    default -> (row[c] - mean) * rstd * w[c] + bias[c];
                                };
                            }
                        }
                    }
                }
                try (DeviceBuffer in = dev.allocate(4L * store.length); DeviceBuffer dw = dev.allocate(4L * n);
                        DeviceBuffer db = dev.allocate(4L * n); DeviceBuffer out = dev.allocate(4L * outLen)) {
                    in.upload(store);
                    dw.upload(w);
                    db.upload(bias);
                    if (ln) KernelLaunches.run(dev, k, in, dw, db, out);
                    else KernelLaunches.run(dev, k, in, out);
                    float[] got = new float[outLen];
                    out.download(got);
                    assertClose(want, got, 1e-5, 1e-5, kind.name());
                }
            }
        }
    }

    @Test
    void gemmFp32AndTf32AtRaggedSizesWithBiasActivationAndBatch() {
        try (CudaDevice dev = deviceOrSkip()) {
            int m = 130, n = 257, k = 75, batch = 2;
            float[] a = random(11, batch * m * k, -1, 1);
            float[] bt = random(12, n * k, -1, 1);      // [N, K], shared by both batch items (stride 0)
            float[] bias = random(13, n, -1, 1);
            for (GemmSpec.Precision p : GemmSpec.Precision.values()) {
                GemmSpec spec = new GemmSpec("gemm", p, true, true, ScalarOp.RELU);
                PtxKernel kernel = GemmKernelGenerator.generate(spec, PtxTarget.SM80);
                double[] want = new double[batch * m * n];
                double[] scale = new double[batch * m * n];
                for (int z = 0; z < batch; z++) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                    double s = 0, mag = 0;
                    for (int q = 0; q < k; q++) {
                        double prod = (double) a[z * m * k + i * k + q] * bt[j * k + q];
                        s += prod;
                        mag += Math.abs(prod);
                    }
                    want[z * m * n + i * n + j] = Math.max(0, s + bias[j]);
                    scale[z * m * n + i * n + j] = mag + Math.abs(bias[j]);
                }
                try (DeviceBuffer da = dev.allocate(4L * a.length); DeviceBuffer db = dev.allocate(4L * bt.length);
                        DeviceBuffer dbias = dev.allocate(4L * n); DeviceBuffer dc = dev.allocate(4L * want.length)) {
                    da.upload(a);
                    db.upload(bt);
                    dbias.upload(bias);
                    KernelLaunches.gemm(dev, kernel, spec, da, db, dc, dbias, m, n, k, batch, (long) m * k, 0, (long) m * n);
                    float[] got = new float[want.length];
                    dc.download(got);
                    // FP32: a few ulp of the absolute sum; TF32: 10-bit operands, so about 2^-10 of it.
                    double rel = p == GemmSpec.Precision.FP32 ? 1e-6 : 2e-3;
                    for (int i = 0; i < want.length; i++) {
                        if (Math.abs(got[i] - want[i]) > rel * scale[i] + 1e-6) {
                            throw new AssertionError(p + " C[" + i + "]: expected " + want[i] + ", found " + got[i]);
                        }
                    }
                }
            }
        }
    }
}
