package dev.kiln.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.text.IrParser;
import dev.kiln.runtime.TinyModel;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which graphs keep batch rows apart: accepted ones may be batched, each refusal says why. */
class RowIndependenceTest {
    static Optional<String> check(String ir) { return RowIndependence.check(IrParser.parse(ir), "B"); }

    @Test
    void rowWiseGraphsAreAccepted() {
        assertEquals(Optional.empty(), RowIndependence.check(TinyModel.graph(), "B"));
        assertEquals(Optional.empty(), check("""
                graph(%x : f32[B, 4, 8]):
                  %1 : f32[B, 4, 8] = aten::softmax(%x, dim=-1)
                  %2 : f32[B, 8, 4] = aten::transpose(%1, dim0=1, dim1=2)
                  return (%2)
                """));
    }

    @Test
    void graphsThatMixRowsAreRefused() {
        assertTrue(check("""
                graph(%x : f32[B, 4]):
                  %1 : f32[] = aten::sum(%x)
                  %2 : f32[B, 4] = aten::mul(%x, %1)
                  return (%2)
                """).orElseThrow().contains("aten::sum makes %1 : f32[]"));
        assertTrue(check("""
                graph(%x : f32[B, 4]):
                  %1 : f32[B, 4] = aten::softmax(%x, dim=0)
                  return (%1)
                """).orElseThrow().contains("aten::softmax works along dim 0 (dim)"));
        assertTrue(check("""
                graph(%x : f32[B, 4]):
                  %1 : f32[B, 4] = aten::softmax(%x, dim=-2)
                  return (%1)
                """).orElseThrow().contains("works along dim 0"));
        assertTrue(check("""
                graph(%x : f32[B, 4]):
                  %1 : f32[4, B] = aten::transpose(%x, dim0=0, dim1=1)
                  %2 : f32[B, 4] = aten::transpose(%1, dim0=0, dim1=1)
                  return (%2)
                """).orElseThrow().contains("aten::transpose makes %1 : f32[4, B]"));
    }
}
