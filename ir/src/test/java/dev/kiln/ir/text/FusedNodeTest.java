package dev.kiln.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.verify.GraphVerifier;
import dev.kiln.ir.verify.VerifyException;
import org.junit.jupiter.api.Test;

/** {@code kiln::fused} and {@code kiln::fused_epilogue}: text round trip and the verifier's rules for groups. */
class FusedNodeTest {

    static final String LOOP = """
            graph(%x : f32[B, 8], %b : f32[8]):
              %y : f32[B, 8] = kiln::fused(%x, %b)
                block(%p0 : f32[B, 8], %p1 : f32[8]):
                  %1 : f32[B, 8] = aten::add(%p0, %p1)
                  %2 : f64[]{wrapped} = const(0.5)
                  %3 : f32[B, 8] = aten::mul(%1, %2)
                  %4 : f32[B, 8] = aten::relu(%3)
                  return (%4)
              return (%y)
            """;

    static final String EPILOGUE = """
            graph(%x : f32[B, 8]):
              %w : f32[4, 8] = param["w"]
              %y : f32[B, 4] = kiln::fused_epilogue(%x, %w)   # fc
                block(%p0 : f32[B, 8], %p1 : f32[4, 8]):
                  %1 : f32[B, 4] = aten::linear(%p0, %p1, None)
                  %2 : f32[B, 4] = aten::relu(%1)
                  return (%2)
              return (%y)
            """;

    @Test
    void roundTripsAndVerifies() {
        for (String text : new String[] {LOOP, EPILOGUE}) {
            Graph g = IrParser.parse(text);
            GraphVerifier.verify(g);
            assertEquals(text, IrPrinter.print(g));
        }
        NodeKind k = IrParser.parse(EPILOGUE).topBlock().nodes().get(1).kind();
        assertEquals(NodeKind.Fused.Group.EPILOGUE, assertInstanceOf(NodeKind.Fused.class, k).group());
    }

    @Test
    void aGroupThatCapturesAnOuterValueIsRejected() {
        Graph g = IrParser.parse("""
                graph(%x : f32[4], %b : f32[4]):
                  %y : f32[4] = kiln::fused(%x)
                    block(%p0 : f32[4]):
                      %1 : f32[4] = aten::add(%p0, %b)
                      return (%1)
                  return (%y)
                """);
        VerifyException e = assertThrows(VerifyException.class, () -> GraphVerifier.verify(g));
        assertTrue(e.getMessage().contains("fusion group is not closed: %b is defined outside its block"),
                e.getMessage());
    }

    @Test
    void parameterTypesMustMatchInputs() {
        Graph g = IrParser.parse("""
                graph(%x : f32[4]):
                  %y : f32[4] = kiln::fused(%x)
                    block(%p0 : f64[4]):
                      %1 : f64[4] = aten::relu(%p0)
                      return (%1)
                  return (%y)
                """);
        VerifyException e = assertThrows(VerifyException.class, () -> GraphVerifier.verify(g));
        assertTrue(e.getMessage().contains("kiln::fused block parameters [f64[4]] do not match the input types [f32[4]]"),
                e.getMessage());
    }

    @Test
    void onlyOpsAndConstantsMayBeInsideAGroup() {
        Graph g = IrParser.parse("""
                graph(%x : f32[4]):
                  %y : f32[4] = kiln::fused(%x)
                    block(%p0 : f32[4]):
                      %w : f32[4] = param["w"]
                      %1 : f32[4] = aten::add(%p0, %w)
                      return (%1)
                  return (%y)
                """);
        VerifyException e = assertThrows(VerifyException.class, () -> GraphVerifier.verify(g));
        assertTrue(e.getMessage().contains("a fusion group holds only op calls and constants, found param"),
                e.getMessage());
    }
}
