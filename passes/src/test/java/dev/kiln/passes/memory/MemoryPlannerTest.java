package dev.kiln.passes.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.text.IrParser;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {
    static Value value(Graph g, String name) {
        for (var n : g.topBlock().nodes()) for (Value v : n.outputs()) if (v.name().equals(name)) return v;
        throw new AssertionError(name);
    }

    @Test
    void aChainReusesTwoBuffers() {
        Graph g = IrParser.parse("""
                graph(%x : f32[B, 16]):
                  %a : f32[B, 16] = aten::exp(%x)
                  %b : f32[B, 16] = aten::exp(%a)
                  %c : f32[B, 16] = aten::exp(%b)
                  %d : f32[B, 16] = aten::exp(%c)
                  return (%d)
                """);
        MemoryPlan p = MemoryPlanner.plan(g, Map.of("B", 4L));
        assertEquals(2, p.buffers().size(), p.toString());
        assertEquals(3 * 256, p.unplannedBytes());
        assertEquals(2 * 256, p.plannedBytes());
        assertEquals(2 * 256, p.peakLiveBytes());
        assertEquals(p.assignment().get(value(g, "a")), p.assignment().get(value(g, "c")));
        assertNotEquals(p.assignment().get(value(g, "a")), p.assignment().get(value(g, "b")));
    }

    @Test
    void viewsKeepTheirBaseAliveAndOutputsAreNotPlanned() {
        Graph g = IrParser.parse("""
                graph(%x : f32[4, 16], %p : bool[]):
                  %a : f32[4, 16] = aten::exp(%x)
                  %v : f32[16, 4] = aten::transpose(%a, dim0=0, dim1=1)
                  %b : f32[4, 16] = aten::exp(%x)
                  %c : f32[4, 16] = aten::exp(%b)
                  %d : f32[4, 16] = kiln::cond(%p, %x)
                    block(%q : f32[4, 16]):
                      %e : f32[16, 4] = aten::relu(%v)
                      %f : f32[4, 16] = aten::add(%q, %c)
                      return (%f)
                    block(%r : f32[4, 16]):
                      return (%r)
                  %g : f32[4, 16] = aten::neg(%d)
                  return (%g, %b)
                """);
        MemoryPlan p = MemoryPlanner.plan(g, Map.of());
        // a lives to the cond (through its view v), c too; b is an output; d is freed after g
        assertEquals(3, p.buffers().size(), p.toString());
        assertEquals(3 * 256, p.unplannedBytes());
        assertEquals(3 * 256, p.plannedBytes());
        assertEquals(false, p.assignment().containsKey(value(g, "b")));
        assertEquals(false, p.assignment().containsKey(value(g, "v")));
    }

    @Test
    void aSmallerLaterValueTakesAFreedLargerBufferAndALargerOneGrowsIt() {
        Graph g = IrParser.parse("""
                graph(%x : f32[64]):
                  %a : f32[64] = aten::exp(%x)
                  %b : f32[32] = aten::slice(%a, start=0, end=32)
                  %c : f32[32] = aten::exp(%b)
                  %d : f32[32] = aten::neg(%c)
                  %e : f32[2, 64] = aten::expand(%x, size=[2, 64])
                  %f : f32[2, 64] = aten::exp(%e)
                  %h : f32[2, 64] = aten::neg(%f)
                  %i : f32[] = aten::sum(%h)
                  %j : f32[32] = aten::add(%d, %i)
                  return (%j)
                """);
        MemoryPlan p = MemoryPlanner.plan(g, Map.of());
        assertEquals(p.assignment().get(value(g, "a")), p.assignment().get(value(g, "d")));
        assertEquals(p.plannedBytes(), p.buffers().stream().mapToLong(Long::longValue).sum());
        assertEquals(true, p.plannedBytes() < p.unplannedBytes(), p.toString());
    }
}
