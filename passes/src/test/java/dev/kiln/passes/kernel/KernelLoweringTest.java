package dev.kiln.passes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.OpTrait;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelLoweringTest {
    @Test
    void everyElementwiseOpIsLoweredOrNamedUnsupported() {
        for (Op op : Op.values()) {
            if (!op.has(OpTrait.ELEMENTWISE)) continue;
            assertTrue(ElementwiseLowering.TABLE.containsKey(op) ^ ElementwiseLowering.UNSUPPORTED.contains(op), op.toString());
        }
    }

    static final String ELEMENTWISE = """
            graph(%x : f32[B, 6], %b : f32[6], %m : bool[B, 1], %i : i64[6]):
              %y : f32[B, 6] = kiln::fused(%x, %b, %m, %i)
                block(%p : f32[B, 6], %q : f32[6], %r : bool[B, 1], %s : i64[6]):
                  %c : f32[6] = const([0.5, -1.0, 2.0, 0.0, 3.0, -0.25])
                  %k : f64[]{wrapped} = const(1.5)
                  %1 : f32[B, 6] = aten::mul(%p, %k)
                  %2 : f32[B, 6] = aten::add(%1, %q, alpha=2)
                  %3 : f32[B, 6] = aten::gelu(%2)
                  %4 : f32[B, 6] = aten::sub(%3, %c)
                  %5 : f32[B, 6] = aten::div(%4, %s, rounding_mode="floor")
                  %6 : f32[B, 6] = aten::clamp(%5, min=-2.0, max=2.0)
                  %7 : f32[B, 6] = aten::where(%r, %6, %p)
                  %8 : bool[B, 6] = aten::gt(%7, %k)
                  %9 : f32[B, 6] = aten::masked_fill(%7, %8, %k)
                  %10 : f32[B, 6] = aten::leaky_relu(%9, negative_slope=0.2)
                  %11 : f32[B, 6] = aten::softplus(%10, beta=2.0, threshold=1.0)
                  %12 : f32[B, 6] = aten::elu(%11, alpha=0.5)
                  %13 : f32[B, 6] = aten::sigmoid(%12)
                  %14 : f32[B, 6] = aten::gelu(%13, approximate="tanh")
                  %15 : f32[B, 6] = aten::pow(%14, %k)
                  %16 : f32[B, 6] = aten::silu(%15)
                  return (%16)
              return (%y)
            """;

    static final String REDUCTIONS = """
            graph(%x : f32[B, 3, 5], %w : f32[5], %v : f32[5]):
              %y, %z : f32[B, 3, 5], f32[B, 3] = kiln::fused(%x, %w, %v)
                block(%p : f32[B, 3, 5], %q : f32[5], %r : f32[5]):
                  %k : f64[]{wrapped} = const(0.5)
                  %1 : f32[B, 3, 5] = aten::mul(%p, %k)
                  %2 : f32[B, 3, 5] = aten::layer_norm(%1, %q, %r, normalized_shape=[5])
                  %3 : f32[B, 3, 5] = aten::tanh(%2)
                  %4 : f32[B, 3] = aten::mean(%3, dim=[-1])
                  return (%3, %4)
              return (%y, %z)
            """;

    static final String SOFTMAXES = """
            graph(%x : f32[B, 4, 3], %m : bool[4, 3]):
              %y : f32[B, 4, 3] = kiln::fused(%x, %m)
                block(%p : f32[B, 4, 3], %q : bool[4, 3]):
                  %k : f64[]{wrapped} = const(-Infinity)
                  %1 : f32[B, 4, 3] = aten::masked_fill(%p, %q, %k)
                  %2 : f32[B, 4, 3] = aten::softmax(%1, dim=1)
                  %3 : f32[B, 4, 3] = aten::exp(%2)
                  return (%3)
              %z : f32[B, 4] = kiln::fused(%x)
                block(%a : f32[B, 4, 3]):
                  %4 : f32[B, 4, 3] = aten::log_softmax(%a, dim=2)
                  %5 : f32[B, 4, 3] = aten::abs(%4)
                  %6 : f32[B, 4] = aten::sum(%5, dim=[2])
                  return (%6)
              return (%y, %z)
            """;

    static final String EPILOGUE = """
            graph(%x : f32[B, 4], %r : f32[B, 3]):
              %y : f32[B, 3] = kiln::fused_epilogue(%x, %r)
                block(%p : f32[B, 4], %q : f32[B, 3]):
                  %w : f32[3, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 1.0, 1.0])
                  %b : f32[3] = const([0.5, -0.5, 0.0])
                  %1 : f32[B, 3] = aten::linear(%p, %w, %b)
                  %2 : f32[B, 3] = aten::add(%1, %q)
                  %3 : f32[B, 3] = aten::relu(%2)
                  return (%3)
              return (%y)
            """;

    @Test
    void loweredKernelsMatchTheEagerKernels() {
        for (String text : List.of(ELEMENTWISE, REDUCTIONS, SOFTMAXES, EPILOGUE)) {
            Graph g = IrParser.parse(text);
            for (Node n : g.topBlock().nodes()) {
                if (!(n.kind() instanceof NodeKind.Fused)) continue;
                List<Tensor> in = inputs(n, 3);
                List<Tensor> want = GroupCheck.reference(n, in);
                List<Tensor> got = GroupCheck.lowered(n, in, Map.of("B", 3L));
                assertEquals(want.size(), got.size());
                for (int o = 0; o < want.size(); o++) {
                    double[] a = doubles(want.get(o));
                    double[] b = doubles(got.get(o));
                    assertEquals(a.length, b.length);
                    for (int i = 0; i < a.length; i++) {
                        if (Double.isNaN(a[i])) {
                            assertTrue(Double.isNaN(b[i]), n + " output " + o + " element " + i + " should be NaN");
                            continue;
                        }
                        assertEquals(a[i], b[i], 2e-6 * Math.max(1, Math.abs(a[i])), n + " output " + o + " element " + i
                                + "\n" + KernelLowering.lower(n).kernel());
                    }
                }
            }
        }
    }

    @Test
    void kernelTextShowsDomainReductionAndDag() {
        Node n = IrParser.parse(REDUCTIONS).topBlock().nodes().get(0);
        String k = KernelLowering.lower(n).kernel().toString();
        assertTrue(k.startsWith("kernel y domain [B, 3, 5] reduce axis 2\n  in0 : f32[B, 3, 5]\n"), k);
        assertTrue(k.contains("reduce_sum(") && k.contains("rsqrt(") && k.contains("out1 : f32[B, 3] reduced"), k);
    }

    @Test
    void groupsTheKernelIrCannotExpressAreRefusedByName() {
        Node two = IrParser.parse("""
                graph(%x : f32[4, 3]):
                  %y : f32[4, 3] = kiln::fused(%x)
                    block(%p : f32[4, 3]):
                      %1 : f32[4, 3] = aten::softmax(%p, dim=0)
                      %2 : f32[4, 3] = aten::softmax(%1, dim=1)
                      return (%2)
                  return (%y)
                """).topBlock().nodes().get(0);
        LoweringException e = assertThrows(LoweringException.class, () -> KernelLowering.lower(two));
        assertTrue(e.getMessage().contains("one reduction axis"), e.getMessage());
        Node cat = IrParser.parse("""
                graph(%x : f32[4, 3]):
                  %y : f32[8, 3] = kiln::fused(%x)
                    block(%p : f32[4, 3]):
                      %1 : f32[4, 3] = aten::exp(%p)
                      %2 : f32[8, 3] = aten::cat([%1, %1])
                      return (%2)
                  return (%y)
                """).topBlock().nodes().get(0);
        e = assertThrows(LoweringException.class, () -> KernelLowering.lower(cat));
        assertTrue(e.getMessage().contains("no lowering for aten::cat"), e.getMessage());
    }

    static double[] doubles(Tensor t) {
        Tensor d = t.to(DType.FLOAT64);
        return d.toDoubleArray();
    }

    /** Deterministic inputs for a group's parameters, {@code B} bound to {@code batch}. */
    static List<Tensor> inputs(Node fused, long batch) {
        List<Tensor> in = new ArrayList<>();
        int seed = 0;
        for (var p : fused.blocks().get(0).params()) {
            TensorType t = (TensorType) p.type();
            long[] shape = t.shape().eval(Map.of("B", batch));
            int n = 1;
            for (long s : shape) n *= (int) s;
            seed++;
            switch (t.dtype()) {
                case BOOL -> {
                    boolean[] a = new boolean[n];
                    for (int k = 0; k < n; k++) a[k] = (k + seed) % 3 == 0;
                    in.add(Tensor.ofBools(a, shape));
                }
                case INT64 -> {
                    long[] a = new long[n];
                    for (int k = 0; k < n; k++) a[k] = (k % 3) + 1;
                    in.add(Tensor.ofLongs(a, shape));
                }
                default -> {
                    float[] a = new float[n];
                    for (int k = 0; k < n; k++) a[k] = (float) (2 * Math.sin(k * 0.9 + seed));
                    in.add(Tensor.of(a, shape));
                }
            }
        }
        return in;
    }
}
