package dev.kiln.codegen.ptx;

import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.PtxTarget;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One representative kernel of every kind, by golden-file name; the golden and ptxas tests share it. */
final class GoldenKernels {
    private GoldenKernels() {}

    static Map<String, PtxKernel> all() {
        Map<String, PtxKernel> out = new LinkedHashMap<>();
        PtxTarget t = PtxTarget.SM80;
        out.put("elementwise_broadcast", ElementwiseKernelGenerator.generate(broadcastSpec(), t).kernel());
        out.put("elementwise_vector", ElementwiseKernelGenerator.generate(vectorSpec(), t).kernel());
        for (RowReductionSpec.Kind kind : RowReductionSpec.Kind.values()) {
            String name = "row_" + kind.name().toLowerCase();
            boolean ln = kind == RowReductionSpec.Kind.LAYER_NORM;
            long[] shape = {4, 3, 100};
            // A transposed view: the last dim is strided, the outer dims are not contiguous either.
            TensorOperand in = new TensorOperand(DType.FLOAT32, new long[] {300, 1, 3}, 0);
            out.put(name, RowReductionGenerator.generate(new RowReductionSpec(name, kind, shape, in, 1e-5, ln, ln), t).kernel());
        }
        out.put("gemm_fp32", GemmKernelGenerator.generate(new GemmSpec("gemm_fp32", GemmSpec.Precision.FP32, false, false, null), t));
        out.put("gemm_fp32_linear_relu", GemmKernelGenerator.generate(
                new GemmSpec("gemm_fp32_linear_relu", GemmSpec.Precision.FP32, true, true, ScalarOp.RELU), t));
        out.put("gemm_tf32", GemmKernelGenerator.generate(new GemmSpec("gemm_tf32", GemmSpec.Precision.TF32, false, false, null), t));
        out.put("gemm_tf32_linear", GemmKernelGenerator.generate(
                new GemmSpec("gemm_tf32_linear", GemmSpec.Precision.TF32, true, true, null), t));
        out.put("elementwise_all_ops", ElementwiseKernelGenerator.generate(allOpsSpec(), t).kernel());
        return out;
    }

    /** where(mask, gelu(x + bias), -1) and x > 0 over [4, 3, 8]: x contiguous, bias [8], mask bool [3, 1]. */
    static ElementwiseKernelSpec broadcastSpec() {
        long[] shape = {4, 3, 8};
        TensorOperand x = TensorOperand.contiguous(DType.FLOAT32, shape);
        TensorOperand bias = TensorOperand.broadcast(DType.FLOAT32, new long[] {8}, new long[] {1}, 0, shape);
        TensorOperand mask = TensorOperand.broadcast(DType.BOOL, new long[] {3, 1}, new long[] {1, 1}, 0, shape);
        ScalarExpr sum = ScalarExpr.apply(ScalarOp.ADD, ScalarExpr.input(0), ScalarExpr.input(1));
        ScalarExpr value = ScalarExpr.apply(ScalarOp.WHERE, ScalarExpr.input(2), ScalarExpr.apply(ScalarOp.GELU, sum),
                ScalarExpr.constant(-1));
        ScalarExpr positive = ScalarExpr.apply(ScalarOp.GT, ScalarExpr.input(0), ScalarExpr.constant(0));
        return new ElementwiseKernelSpec("elementwise_broadcast", shape, List.of(x, bias, mask),
                List.of(new Output(value, DType.FLOAT32), new Output(positive, DType.BOOL)));
    }

    /** relu(x * s + y) over [1024, 64] with x, y contiguous and s a broadcast scalar: the 16-byte path. */
    static ElementwiseKernelSpec vectorSpec() {
        long[] shape = {1024, 64};
        TensorOperand x = TensorOperand.contiguous(DType.FLOAT32, shape);
        TensorOperand s = TensorOperand.broadcast(DType.FLOAT32, new long[0], new long[0], 0, shape);
        ScalarExpr v = ScalarExpr.apply(ScalarOp.RELU, ScalarExpr.apply(ScalarOp.ADD,
                ScalarExpr.apply(ScalarOp.MUL, ScalarExpr.input(0), ScalarExpr.input(1)), ScalarExpr.input(2)));
        return new ElementwiseKernelSpec("elementwise_vector", shape, List.of(x, s, x), List.of(new Output(v, DType.FLOAT32)));
    }

    /** Every scalar op once, on inputs 0 and 1 (and 0 again for ternary ops), one output each. */
    static ElementwiseKernelSpec allOpsSpec() {
        long[] shape = {256};
        TensorOperand x = TensorOperand.contiguous(DType.FLOAT32, shape);
        List<Output> outs = new ArrayList<>();
        for (ScalarOp op : ScalarOp.values()) {
            ScalarExpr[] args = new ScalarExpr[op.arity()];
            for (int i = 0; i < args.length; i++) args[i] = ScalarExpr.input(i % 2);
            outs.add(new Output(ScalarExpr.apply(op, args), DType.FLOAT32));
        }
        return new ElementwiseKernelSpec("elementwise_all_ops", shape, List.of(x, x), outs);
    }
}
