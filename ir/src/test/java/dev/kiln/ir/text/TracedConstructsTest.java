package dev.kiln.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.verify.GraphVerifier;
import dev.kiln.ir.verify.VerifyException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The IR constructs the tracer adds: symbolic SHAPE attributes, {@code kiln::guard} and {@code kiln::scan}. */
class TracedConstructsTest {

    static final String SYMBOLIC_VIEW = """
            graph(%x : f32[B, 16, 26, 26]):
              %1 : f32[B, 10816] = aten::view(%x, size=[B, -1])   # @ MyNet.java:17
              %2 : f32[B, 4, 2704] = aten::reshape(%1, shape=[B, 4, 2704])
              %3 : f32[B*2, 5] = aten::zeros(size=[B*2, 5])
              %4 : f32[3, B, 10816] = aten::expand(%1, size=[3, B, -1])
              return (%2, %3, %4)
            """;

    static final String GUARD = """
            graph(%x : f32[B, 4]):
              %1 : f32[] = aten::sum(%x)
              %2 : f64[]{wrapped} = const(0.0)
              %3 : bool[] = aten::gt(%1, %2)
              kiln::guard(%3, expected=true)   # @ ConditionalModel.java:16
              kiln::guard(%1, expected=1.5)
              %4 : f32[B, 4] = aten::relu(%x)
              return (%4)
            """;

    static final String SCAN = """
            graph(%x : f32[B, T, 8], %h0 : f32[B, 4]):
              %w : f32[8, 4] = param["w"]
              %h, %hs : f32[B, 4], f32[B, T, 4] = kiln::scan(%x, %h0, dim=1)
                block(%xt : f32[B, 8], %hp : f32[B, 4]):
                  %1 : f32[B, 4] = aten::matmul(%xt, %w)
                  %2 : f32[B, 4] = aten::add(%1, %hp)
                  %3 : f32[B, 4] = aten::tanh(%2)
                  return (%3)
              return (%h, %hs)
            """;

    @Test
    void roundTripsAndVerifies() {
        for (String text : List.of(SYMBOLIC_VIEW, GUARD, SCAN)) {
            Graph g = IrParser.parse(text);
            GraphVerifier.verify(g);
            assertEquals(text, IrPrinter.print(g));
        }
    }

    @Test
    void symbolicShapeAttributesEvaluate() {
        Attrs a = Attrs.of(Op.VIEW).set("size", List.of(SymExpr.symbol("B"), SymExpr.of(-1))).build();
        assertTrue(a.isSymbolic());
        assertEquals("size=[B, -1]", a.toString());
        assertEquals("[4, -1]", java.util.Arrays.toString(a.evaluate(Map.of("B", 4L)).getInts("size")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.getInts("size"));
        assertTrue(e.getMessage().contains("symbolic [B, -1]"), e.getMessage());
        // An all-constant list is stored as long[]: one representation per value.
        Attrs c = Attrs.of(Op.VIEW).set("size", List.of(SymExpr.of(2), SymExpr.of(-1))).build();
        assertEquals(Attrs.of(Op.VIEW).set("size", new long[] {2, -1}).build(), c);
        assertTrue(!c.isSymbolic());
    }

    @Test
    void guardKeepsItsExpectedValueKind() {
        Graph g = IrParser.parse(GUARD);
        List<Object> expected = g.topBlock().nodes().stream()
                .filter(n -> n.kind() instanceof NodeKind.Guard).map(n -> ((NodeKind.Guard) n.kind()).expected())
                .toList();
        assertEquals(List.of(true, 1.5), expected);
    }

    @Test
    void verifierRejectsBadScanAndGuard() {
        String badCarry = SCAN.replace("return (%3)", "return (%xt)");
        VerifyException e = assertThrows(VerifyException.class, () -> GraphVerifier.verify(IrParser.parse(badCarry)));
        assertTrue(e.getMessage().contains("kiln::scan block returns [f32[B, 8]] but the carry is f32[B, 4]"),
                e.getMessage());
        String badStack = SCAN.replace("f32[B, T, 4] = kiln::scan", "f32[B, 4, T] = kiln::scan");
        e = assertThrows(VerifyException.class, () -> GraphVerifier.verify(IrParser.parse(badStack)));
        assertTrue(e.getMessage().contains("%hs is declared f32[B, 4, T] but kiln::scan gives f32[B, T, 4]"),
                e.getMessage());
        String badGuard = GUARD.replace("kiln::guard(%3, expected=true)", "kiln::guard(%x, expected=true)");
        e = assertThrows(VerifyException.class, () -> GraphVerifier.verify(IrParser.parse(badGuard)));
        assertTrue(e.getMessage().contains("kiln::guard reads one element, but %x is f32[B, 4]"), e.getMessage());
    }

    @Test
    void symbolicViewMustKeepTheElementCount() {
        String bad = SYMBOLIC_VIEW.replace("size=[B, -1]", "size=[B, 5]");
        VerifyException e = assertThrows(VerifyException.class, () -> GraphVerifier.verify(IrParser.parse(bad)));
        assertTrue(e.getMessage().contains("aten::view"), e.getMessage());
    }
}
