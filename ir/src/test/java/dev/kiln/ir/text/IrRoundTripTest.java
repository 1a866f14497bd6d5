package dev.kiln.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.verify.GraphVerifier;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** IR text in, IR text out: every graph here parses, verifies, and prints back to exactly its text. */
class IrRoundTripTest {

    private static Graph roundTrip(String text, Map<String, TensorData> table) {
        Graph g = IrParser.parse(text, table);
        GraphVerifier.verify(g);
        assertEquals(text, IrPrinter.print(g));
        Graph again = IrParser.parse(IrPrinter.print(g), table);
        assertEquals(text, IrPrinter.print(again));
        return g;
    }

    @Test
    void mlp() {
        Graph g = roundTrip(SampleGraphs.MLP, Map.of());
        Node fc1 = g.topBlock().nodes().get(4);
        assertEquals("fc1", fc1.source().modulePath());
        assertEquals("Mlp.java", fc1.source().file());
        assertEquals(21, fc1.source().line());
        assertEquals(Op.LINEAR, ((NodeKind.OpCall) fc1.kind()).op());
    }

    @Test
    void myNetWithSymbolicBatch() {
        Graph g = roundTrip(SampleGraphs.MYNET, Map.of());
        assertEquals(2, g.outputs().size());
        TensorType c = (TensorType) g.topBlock().nodes().get(11).output().type();
        assertTrue(c.wrappedNumber());
    }

    @Test
    void transformerAttention() {
        roundTrip(SampleGraphs.ATTENTION, Map.of());
    }

    @Test
    void nestedBlocksAndConstants() {
        TensorData w0 = TensorData.of(DType.FLOAT32, new long[] {64, 4}, new float[256]);
        Graph g = roundTrip(SampleGraphs.CONTROL_FLOW_AND_CONSTANTS, Map.of("w0", w0));
        assertEquals(w0, g.constant("w0"));
        Node cond = g.topBlock().nodes().get(0);
        assertInstanceOf(NodeKind.Cond.class, cond.kind());
        assertEquals(2, cond.blocks().size());
        assertEquals(cond, cond.blocks().get(1).nodes().get(1).block().owner());
    }

    @Test
    void attributesEqualToTheirDefaultsAreLeftOut() {
        Graph g = IrParser.parse("""
                graph(%x : f32[B, 1, 28, 28], %w : f32[16, 1, 3, 3]):
                  %1 : f32[B, 16, 26, 26] = aten::conv2d(%x, %w, None, stride=[1, 1], padding=[0, 0])
                  return (%1)
                """);
        assertTrue(IrPrinter.print(g).contains("aten::conv2d(%x, %w, None)\n"), IrPrinter.print(g));
    }

    @Test
    void canonicalDimsAndCommentsNormalise() {
        Graph g = IrParser.parse("""
                # a comment line is ignored
                graph(%x : f32[16*B, 2+1]):

                  %1 : f32[B*16, 3] = aten::relu(%x)   #   blocks.0   @   Net.java:3
                  return (%1)
                """);
        assertEquals("""
                graph(%x : f32[B*16, 3]):
                  %1 : f32[B*16, 3] = aten::relu(%x)   # blocks.0 @ Net.java:3
                  return (%1)
                """, IrPrinter.print(g));
        GraphVerifier.verify(g);
    }
}
