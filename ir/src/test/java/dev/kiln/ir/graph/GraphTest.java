package dev.kiln.ir.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.IrException;
import dev.kiln.ir.Op;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.verify.GraphVerifier;
import dev.kiln.ir.sym.SymExpr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The graph owns insertion, naming, erasure and use-lists. */
class GraphTest {
    private static final TensorType T = TensorType.of(DType.FLOAT32,
            Shape.of(List.of(SymExpr.symbol("B"), SymExpr.of(4))));

    private static Node op(Graph g, Op op, Value... in) {
        return g.create(new NodeKind.OpCall(op)).inputs(in).outputs(T).appendTo(g.topBlock());
    }

    @Test
    void buildsNamesAndPrints() {
        Graph g = new Graph();
        Value x = g.addInput("x", T);
        Node w = g.create(new NodeKind.Param("fc.weight")).outputs(TensorType.of(DType.FLOAT32, 4, 4))
                .names("fc.weight").appendTo(g.topBlock());
        Node lin = g.create(new NodeKind.OpCall(Op.LINEAR)).inputs(x, w.output(), null).outputs(T)
                .source(new SourceInfo("fc", "Net.java", 12)).appendTo(g.topBlock());
        Node relu = op(g, Op.RELU, lin.output());
        Node dup = g.create(new NodeKind.OpCall(Op.NEG)).inputs(relu.output()).outputs(T).names("x")
                .appendTo(g.topBlock());
        g.setOutputs(dup.output());
        assertEquals("x_1", dup.output().name()); // names are unique: the hint got a suffix
        GraphVerifier.verify(g);
        assertEquals("""
                graph(%x : f32[B, 4]):
                  %fc.weight : f32[4, 4] = param["fc.weight"]
                  %0 : f32[B, 4] = aten::linear(%x, %fc.weight, None)   # fc @ Net.java:12
                  %1 : f32[B, 4] = aten::relu(%0)
                  %x_1 : f32[B, 4] = aten::neg(%1)
                  return (%x_1)
                """, IrPrinter.print(g));
    }

    @Test
    void useListsFollowEveryChange() {
        Graph g = new Graph();
        Value x = g.addInput("x", T);
        Node a = op(g, Op.RELU, x);
        Node b = op(g, Op.ADD, a.output(), a.output());
        g.setOutputs(b.output());
        assertEquals(List.of(new Use(b, 0), new Use(b, 1)), a.output().uses());
        assertEquals(List.of(new Use(g.topBlock().returnNode(), 0)), b.output().uses());
        g.setInput(b, 1, x);
        assertEquals(List.of(new Use(b, 0)), a.output().uses());
        assertEquals(List.of(new Use(a, 0), new Use(b, 1)), x.uses());
    }

    @Test
    void eraseRefusesWhileUsedAndReplaceAllUsesWith() {
        Graph g = new Graph();
        Value x = g.addInput("x", T);
        Node a = op(g, Op.RELU, x);
        Node b = op(g, Op.NEG, a.output());
        g.setOutputs(b.output());
        IrException e = assertThrows(IrException.class, () -> g.erase(a));
        assertTrue(e.getMessage().contains("%0 is still used by %1 = aten::neg"), e.getMessage());
        // Insert a replacement before b, redirect a's users, then erase a.
        Node c = g.create(new NodeKind.OpCall(Op.ABS)).inputs(x).outputs(T).names("abs").insertBefore(b);
        g.replaceAllUsesWith(a.output(), c.output());
        assertTrue(a.output().uses().isEmpty());
        g.erase(a);
        assertNull(a.block());
        assertEquals(List.of(new Use(c, 0)), x.uses());
        GraphVerifier.verify(g);
        assertEquals("""
                graph(%x : f32[B, 4]):
                  %abs : f32[B, 4] = aten::abs(%x)
                  %1 : f32[B, 4] = aten::neg(%abs)
                  return (%1)
                """, IrPrinter.print(g));
        assertThrows(IrException.class, () -> g.erase(a));
    }

    @Test
    void erasingANodeWithBlocksUnlinksTheirUses() {
        Graph g = new Graph();
        Value x = g.addInput("x", T);
        Value p = g.addInput("p", TensorType.of(DType.BOOL));
        Node cond = g.create(new NodeKind.Cond()).inputs(p, x).outputs(T).blocks(2).appendTo(g.topBlock());
        for (Block b : cond.blocks()) {
            Value arg = g.addParameter(b, null, T);
            Node inner = g.create(new NodeKind.OpCall(Op.ADD)).inputs(arg, x).outputs(T).appendTo(b);
            g.setResults(b, List.of(inner.output()));
        }
        g.setOutputs(x);
        GraphVerifier.verify(g);
        assertEquals(4, x.uses().size()); // the cond, both branches, the graph output
        g.erase(cond);
        assertEquals(List.of(new Use(g.topBlock().returnNode(), 0)), x.uses());
        assertTrue(p.uses().isEmpty());
    }

    @Test
    void constantsAndAttributesThroughTheApi() {
        Graph g = new Graph();
        Value x = g.addInput("x", T);
        Node c = g.create(new NodeKind.Const(TensorData.scalar(2.0))).outputs(TensorType.wrapped(DType.FLOAT64))
                .appendTo(g.topBlock());
        Node mul = op(g, Op.MUL, x, c.output());
        Node sum = g.create(new NodeKind.OpCall(Op.SUM, Attrs.of(Op.SUM).set("dim", new long[] {1}).build()))
                .inputs(mul.output()).outputs(TensorType.of(DType.FLOAT32, Shape.of(List.of(SymExpr.symbol("B")))))
                .appendTo(g.topBlock());
        g.setOutputs(sum.output());
        GraphVerifier.verify(g);
        assertEquals("""
                graph(%x : f32[B, 4]):
                  %0 : f64[]{wrapped} = const(2.0)
                  %1 : f32[B, 4] = aten::mul(%x, %0)
                  %2 : f32[B] = aten::sum(%1, dim=[1])
                  return (%2)
                """, IrPrinter.print(g));
        assertThrows(IrException.class, () -> g.rename(x, "0"));
        g.rename(x, "input");
        assertEquals("input", x.name());
    }

    @Test
    void smallConstantsInlineLargeOnesGoToTheTable() {
        Graph g = new Graph();
        Node small = g.appendConstant(g.topBlock(), TensorData.scalar(1.5), true);
        Node big = g.appendConstant(g.topBlock(), TensorData.of(DType.FLOAT32, new long[] {4, 8}, new float[32]),
                false);
        g.setOutputs(small.output(), big.output());
        GraphVerifier.verify(g);
        assertEquals("""
                graph():
                  %0 : f64[]{wrapped} = const(1.5)
                  %1 : f32[4, 8] = const(@c0)
                  return (%0, %1)
                """, IrPrinter.print(g));
        assertEquals(IrPrinter.print(g), IrPrinter.print(dev.kiln.ir.text.IrParser.parse(IrPrinter.print(g),
                g.constants())));
    }
}
