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

    @Test
    void loweredKernelsMatchTheEagerKernels() {
        for (String text : List.of(KernelFixtures.ELEMENTWISE, KernelFixtures.REDUCTIONS, KernelFixtures.SOFTMAXES,
                KernelFixtures.EPILOGUE)) {
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
        Node n = IrParser.parse(KernelFixtures.REDUCTIONS).topBlock().nodes().get(0);
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
