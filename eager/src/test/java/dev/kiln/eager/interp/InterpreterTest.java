package dev.kiln.eager.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.text.IrParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference interpreter on IR text, against plain Java loops. */
class InterpreterTest {

    private static Tensor iota(int rows, int cols, float scale, float shift) {
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) a[i] = i * scale + shift;
        return Tensor.of(a, rows, cols);
    }

    @Test
    void runsAtEveryBatchSizeWithSymbolicView() {
        Graph g = IrParser.parse("""
                graph(%x : f32[B, 6]):
                  %w : f32[6] = param["w"]
                  %1 : f32[B, 6] = aten::mul(%x, %w)
                  %2 : f64[]{wrapped} = const(-1.0)
                  %3 : f32[B, 6] = aten::add(%1, %2)
                  %4 : f32[B, 6] = aten::relu(%3)
                  %5 : f32[B, 2, 3] = aten::view(%4, size=[B, 2, -1])
                  return (%5)
                """);
        float[] w = {1, -1, 2, 0.5f, 3, -2};
        Interpreter interp = new Interpreter(g, Map.of("w", Tensor.of(w)));
        for (int batch : new int[] {1, 4, 32}) {
            Tensor x = iota(batch, 6, 0.25f, -3);
            Tensor y = interp.run(x).get(0);
            assertArrayEquals(new long[] {batch, 2, 3}, y.shape());
            float[] xs = x.toFloatArray();
            float[] ys = y.toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                double ref = Math.max(0, (double) xs[i] * w[i % 6] - 1);
                assertEquals(ref, ys[i], 1e-6, "element " + i);
            }
        }
    }

    @Test
    void inputMismatchNamesInputExpectedFoundAndDim() {
        Graph g = IrParser.parse("""
                graph(%x : f32[B, 1, 28, 28]):
                  %1 : f32[B, 1, 28, 28] = aten::relu(%x)
                  return (%1)
                """);
        Interpreter interp = new Interpreter(g, Map.of());
        KilnException e = assertThrows(KilnException.class, () -> interp.run(Tensor.empty(dev.kiln.ir.DType.FLOAT32,
                4, 3, 28, 28)));
        assertEquals("input 'x': expected f32[B, 1, 28, 28], found f32[4, 3, 28, 28] (dim 1: expected 1, found 3)",
                e.getMessage());
        e = assertThrows(KilnException.class, () -> interp.run(Tensor.empty(dev.kiln.ir.DType.FLOAT64, 4, 1, 28, 28)));
        assertTrue(e.getMessage().contains("(dtype: expected f32, found f64)"), e.getMessage());
        e = assertThrows(KilnException.class, () -> interp.run());
        assertEquals("expected 1 input(s) [x], found 0", e.getMessage());
    }

    @Test
    void symbolBoundByOneInputIsCheckedInAnother() {
        Graph g = IrParser.parse("""
                graph(%x : f32[B, 3], %y : f32[B*2, 3]):
                  %1 : f32[B*3, 3] = aten::cat([%x, %y])
                  return (%1)
                """);
        Interpreter interp = new Interpreter(g, Map.of());
        assertEquals(9, interp.run(iota(3, 3, 1, 0), iota(6, 3, 1, 0)).get(0).size(0));
        KilnException e = assertThrows(KilnException.class, () -> interp.run(iota(3, 3, 1, 0), iota(5, 3, 1, 0)));
        assertEquals("input 'y': expected f32[B*2, 3], found f32[5, 3] (dim 0: expected B*2 = 6 (B = 3 from input 'x' "
                + "dim 0), found 5)", e.getMessage());
    }

    static final String GUARDED = """
            graph(%x : f32[B, 2]):
              %1 : f32[] = aten::sum(%x)
              %2 : f64[]{wrapped} = const(0.0)
              %3 : bool[] = aten::gt(%1, %2)
              kiln::guard(%3, expected=true)   # model @ Conditional.java:16
              %4 : f64[]{wrapped} = const(2.0)
              %5 : f32[B, 2] = aten::mul(%x, %4)
              return (%5)
            """;

    @Test
    void guardFailsNamingTheSourceLocation() {
        Interpreter interp = new Interpreter(IrParser.parse(GUARDED), Map.of());
        assertEquals(2f, interp.run(iota(1, 2, 1, 1)).get(0).toFloatArray()[0]);
        GuardFailedException e = assertThrows(GuardFailedException.class, () -> interp.run(iota(1, 2, 1, -5)));
        assertTrue(e.getMessage().startsWith("guard failed at Conditional.java:16 (module model): the trace read true "
                + "from %3 but this input gives false"), e.getMessage());
    }

    @Test
    void guardWarnsUnderWarnPolicy() {
        List<String> warnings = new ArrayList<>();
        Interpreter interp = new Interpreter(IrParser.parse(GUARDED), Map.of(), GuardPolicy.WARN, warnings::add);
        Tensor y = interp.run(iota(1, 2, 1, -5)).get(0);
        assertEquals(-10f, y.toFloatArray()[0]);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("Conditional.java:16"), warnings.get(0));
    }

    @Test
    void condRunsTheBranchThePredicateSelects() {
        Interpreter interp = new Interpreter(IrParser.parse("""
                graph(%x : f32[B, 2]):
                  %1 : f32[] = aten::sum(%x)
                  %2 : f64[]{wrapped} = const(0.0)
                  %3 : bool[] = aten::gt(%1, %2)
                  %4 : f32[B, 2] = kiln::cond(%3)
                    block():
                      %5 : f64[]{wrapped} = const(2.0)
                      %6 : f32[B, 2] = aten::mul(%x, %5)
                      return (%6)
                    block():
                      %7 : f64[]{wrapped} = const(3.0)
                      %8 : f32[B, 2] = aten::mul(%x, %7)
                      return (%8)
                  return (%4)
                """), Map.of());
        assertArrayEquals(new float[] {2, 4}, interp.run(iota(1, 2, 1, 1)).get(0).toFloatArray());
        assertArrayEquals(new float[] {-15, -12}, interp.run(iota(1, 2, 1, -5)).get(0).toFloatArray());
    }

    @Test
    void scanLoopsOverASymbolicSequence() {
        Interpreter interp = new Interpreter(IrParser.parse("""
                graph(%x : f32[B, T, 3], %h0 : f32[B, 3]):
                  %h, %hs : f32[B, 3], f32[B, T, 3] = kiln::scan(%x, %h0, dim=1)
                    block(%xt : f32[B, 3], %hp : f32[B, 3]):
                      %1 : f64[]{wrapped} = const(0.5)
                      %2 : f32[B, 3] = aten::mul(%hp, %1)
                      %3 : f32[B, 3] = aten::add(%xt, %2)
                      return (%3)
                  return (%h, %hs)
                """), Map.of());
        for (int steps : new int[] {1, 5}) {
            float[] xs = new float[2 * steps * 3];
            for (int i = 0; i < xs.length; i++) xs[i] = (float) Math.sin(i);
            List<Tensor> out = interp.run(Tensor.of(xs, 2, steps, 3), Tensor.zeros(2, 3));
            float[] hs = out.get(1).toFloatArray();
            for (int b = 0; b < 2; b++) {
                for (int c = 0; c < 3; c++) {
                    double h = 0;
                    for (int t = 0; t < steps; t++) {
                        h = xs[(b * steps + t) * 3 + c] + 0.5 * h;
                        assertEquals(h, hs[(b * steps + t) * 3 + c], 1e-5);
                    }
                    assertEquals(h, out.get(0).toFloatArray()[b * 3 + c], 1e-5);
                }
            }
        }
    }

    @Test
    void failuresNameTheNode() {
        Interpreter interp = new Interpreter(IrParser.parse("""
                graph(%x : f32[B, 2]):
                  %w : f32[2] = param["fc.weight"]
                  %1 : f32[B, 2] = aten::mul(%x, %w)   # fc @ Net.java:9
                  return (%1)
                """), Map.of());
        KilnException e = assertThrows(KilnException.class, () -> interp.run(iota(1, 2, 1, 0)));
        assertEquals("while executing %w : f32[2] = param[\"fc.weight\"]: no parameter or buffer named 'fc.weight' "
                + "was given", e.getMessage());
        Interpreter bad = new Interpreter(IrParser.parse("""
                graph(%x : f32[B, 2]):
                  %w : f32[3] = param["w"]
                  %1 : f32[B, 2] = aten::mul(%x, %w)   # fc @ Net.java:9
                  return (%1)
                """), Map.of("w", Tensor.of(new float[] {1, 2, 3})));
        e = assertThrows(KilnException.class, () -> bad.run(iota(1, 2, 1, 0)));
        assertTrue(e.getMessage().startsWith("while executing %1 : f32[B, 2] = aten::mul(%x, %w)   # fc @ Net.java:9: "),
                e.getMessage());
    }

    @Test
    void valuesDieAfterTheirLastUseIncludingUsesInsideBlocks() {
        Graph g = IrParser.parse("""
                graph(%x : f32[B, 2]):
                  %1 : f32[B, 2] = aten::relu(%x)
                  %2 : f32[B, 2] = aten::neg(%1)
                  %3 : f32[] = aten::sum(%2)
                  %4 : f64[]{wrapped} = const(0.0)
                  %5 : bool[] = aten::gt(%3, %4)
                  %6 : f32[B, 2] = kiln::cond(%5)
                    block():
                      return (%1)
                    block():
                      return (%2)
                  %7 : f32[B, 2] = aten::exp(%6)
                  return (%7)
                """);
        Map<Node, List<Value>> deaths = Liveness.deaths(g.topBlock());
        Block top = g.topBlock();
        Node cond = top.nodes().get(5);
        List<String> diesAtCond = deaths.get(cond).stream().map(Value::name).sorted().toList();
        assertEquals(List.of("1", "2", "5"), diesAtCond);
        assertEquals(List.of("3", "4"), deaths.get(top.nodes().get(4)).stream().map(Value::name).sorted().toList());
        assertEquals(List.of("6"), deaths.get(top.nodes().get(6)).stream().map(Value::name).toList());
    }
}
