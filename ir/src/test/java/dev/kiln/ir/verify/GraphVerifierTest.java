package dev.kiln.ir.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.ParseException;
import dev.kiln.ir.type.TensorType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of verifier failure, with a message that names the node and quotes it in context. */
class GraphVerifierTest {

    private static VerifyException fails(String text) {
        Graph g = IrParser.parse(text);
        return assertThrows(VerifyException.class, () -> GraphVerifier.verify(g));
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "missing '" + p + "' in:\n" + message);
    }

    @Test
    void useBeforeDefinition() {
        VerifyException e = fails("""
                graph(%x : f32[B, 4]):
                  %1 : f32[B, 4] = aten::relu(%2)
                  %2 : f32[B, 4] = aten::neg(%x)
                  return (%1)
                """);
        assertMentions(e.getMessage(), "verify: %1 : f32[B, 4] = aten::relu(%2)", "%2 is used before its definition",
                ">>    2 |   %1 : f32[B, 4] = aten::relu(%2)", "   3 |   %2 : f32[B, 4] = aten::neg(%x)",
                "   1 | graph(%x : f32[B, 4]):");
    }

    @Test
    void useOutsideTheDefiningBlock() {
        VerifyException e = fails("""
                graph(%x : f32[B, 4], %p : bool[]):
                  %1 : f32[B, 4] = kiln::cond(%p, %x)
                    block(%a : f32[B, 4]):
                      %2 : f32[B, 4] = aten::relu(%a)
                      return (%2)
                    block(%b : f32[B, 4]):
                      return (%b)
                  return (%2)
                """);
        assertMentions(e.getMessage(), "verify: return", "%2 is used outside the block that defines it",
                ">>    8 |   return (%2)");
    }

    @Test
    void doubleDefinitionIsRejectedWhereItIsWritten() {
        ParseException e = assertThrows(ParseException.class, () -> IrParser.parse("""
                graph(%x : f32[4]):
                  %1 : f32[4] = aten::relu(%x)
                  %1 : f32[4] = aten::neg(%x)
                  return (%1)
                """));
        assertEquals(3, e.line());
        assertMentions(e.getMessage(), "3:3: expected a new value name, found %1 already defined at 2:3");
    }

    @Test
    void typeMismatchAgainstTheRule() {
        VerifyException e = fails("""
                graph(%x : f32[B, 1, 28, 28], %w : f32[16, 1, 3, 3]):
                  %1 : f32[B, 16, 28, 28] = aten::conv2d(%x, %w, None)   # conv @ Net.java:9
                  return (%1)
                """);
        assertMentions(e.getMessage(), "aten::conv2d(%x, %w, None)   # conv @ Net.java:9",
                "type mismatch: %1 is declared f32[B, 16, 28, 28] but aten::conv2d gives f32[B, 16, 26, 26]");
        e = fails("""
                graph(%x : f32[B, 4]):
                  %1 : f32[B, 4] = aten::add(%x, %x)
                  %2 : f64[B, 4] = aten::relu(%1)
                  return (%2)
                """);
        assertMentions(e.getMessage(), "%2 is declared f64[B, 4] but aten::relu gives f32[B, 4]",
                ">>    3 |   %2 : f64[B, 4] = aten::relu(%1)");
        e = fails("""
                graph(%x : f32[B, 4], %y : f32[B, 5]):
                  %1 : f32[B, 4] = aten::add(%x, %y)
                  return (%1)
                """);
        assertMentions(e.getMessage(), "type error: aten::add: argument 'other'", "%1 : f32[B, 4] = aten::add");
        e = fails("""
                graph(%x : f32[B, 4]):
                  %n : int(4) = aten::size(%x, dim=0)
                  return (%x)
                """);
        assertMentions(e.getMessage(), "%n is declared int(4) but aten::size gives int(B)");
        Graph g = new Graph();
        Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 3));
        Node c = g.create(new NodeKind.Const(TensorData.of(DType.FLOAT32, new long[] {3}, new float[3])))
                .outputs(TensorType.of(DType.FLOAT64, 3)).names("c").appendTo(g.topBlock());
        g.setOutputs(x);
        VerifyException v = assertThrows(VerifyException.class, () -> GraphVerifier.verify(g));
        assertSame(c, v.node());
        assertMentions(v.getMessage(), "%c : f64[3] = const([0.0, 0.0, 0.0])", "%c is declared f64[3] but const "
                + "gives f32[3]");
    }

    @Test
    void missingOutput() {
        VerifyException e = fails("""
                graph(%x : f32[4]):
                  %1 : f32[4] = aten::relu(%x)
                  return ()
                """);
        assertMentions(e.getMessage(), "missing output: the graph returns no values", ">>    3 |   return ()");
        ParseException p = assertThrows(ParseException.class, () -> IrParser.parse("""
                graph(%x : f32[4]):
                  return (%9)
                """));
        assertMentions(p.getMessage(), "2:11: expected a defined value, found undefined value %9");
    }

    @Test
    void wrongArity() {
        VerifyException e = fails("""
                graph(%x : f32[4]):
                  %1 : f32[4] = aten::relu(%x, %x)
                  return (%1)
                """);
        assertMentions(e.getMessage(), "verify: %1 : f32[4] = aten::relu(%x, %x)",
                "wrong arity: aten::relu: expected 1 tensor input(s) (self), found 2");
        e = fails("""
                graph(%x : f32[B, 4]):
                  %1 : f32[B] = aten::max.dim(%x, dim=1)
                  return (%1)
                """);
        assertMentions(e.getMessage(), "wrong arity: aten::max.dim has 2 output(s) here, the node declares 1");
        e = fails("""
                graph(%x : f32[B, 4]):
                  %1 : f32[B, 4] = aten::linear(%x, None, None)
                  return (%1)
                """);
        assertMentions(e.getMessage(), "argument 'weight' expected a tensor, found None");
    }

    @Test
    void unknownOpIsAParseErrorNamingTheNodeLine() {
        ParseException e = assertThrows(ParseException.class, () -> IrParser.parse("""
                graph(%x : f32[4]):
                  %1 : f32[4] = aten::frobnicate(%x)
                  return (%1)
                """));
        assertMentions(e.getMessage(), "2:17: expected a known op", "found unknown op 'aten::frobnicate'",
                "%1 : f32[4] = aten::frobnicate(%x)", "                ^");
    }

    @Test
    void malformedBlocksAndConstants() {
        VerifyException e = fails("""
                graph(%x : f32[4], %p : bool[]):
                  %1 : f32[4] = kiln::cond(%p, %x)
                    block(%a : f32[4]):
                      return (%a)
                    block(%b : f64[4]):
                      return (%x)
                  return (%1)
                """);
        assertMentions(e.getMessage(), "kiln::cond else-block parameters [f64[4]] do not match the operand types "
                + "[f32[4]]");
        e = fails("""
                graph(%x : f32[4], %p : f32[]):
                  %1 : f32[4] = kiln::cond(%p, %x)
                    block(%a : f32[4]):
                      return (%a)
                    block(%b : f32[4]):
                      return (%b)
                  return (%1)
                """);
        assertMentions(e.getMessage(), "predicate %p must be bool[]");
        // A graph built through the API can refer to a table entry that is not there.
        Graph g = new Graph();
        Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 4));
        Node c = g.create(new NodeKind.ConstRef("w9")).outputs(TensorType.of(DType.FLOAT32, 4))
                .appendTo(g.topBlock());
        g.setOutputs(x);
        VerifyException v = assertThrows(VerifyException.class, () -> GraphVerifier.verify(g));
        assertSame(c, v.node());
        assertMentions(v.getMessage(), "constant @w9 is not in the graph's constant table");
    }

    @Test
    void erasedProducerIsReported() {
        Graph g = new Graph();
        Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 4));
        Node relu = g.create(new NodeKind.OpCall(Op.RELU)).inputs(x).outputs(x.type()).appendTo(g.topBlock());
        Node neg = g.create(new NodeKind.OpCall(Op.NEG)).inputs(relu.output()).outputs(x.type())
                .appendTo(g.topBlock());
        g.setOutputs(neg.output());
        GraphVerifier.verify(g);
        // Move the use away, erase, then point it back by hand to simulate a stale reference.
        g.setInput(neg, 0, x);
        g.erase(relu);
        g.setInput(neg, 0, relu.output());
        VerifyException e = assertThrows(VerifyException.class, () -> GraphVerifier.verify(g));
        assertMentions(e.getMessage(), "%0 is not defined in this graph");
        assertEquals(List.of(), relu.inputs().stream().filter(v -> v != null).toList());
    }
}
