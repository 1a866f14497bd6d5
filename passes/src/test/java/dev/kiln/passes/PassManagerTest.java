package dev.kiln.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.cleanup.CommonSubexpressionElimination;
import dev.kiln.passes.cleanup.DeadCodeElimination;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassManagerTest {
    static final String INPUT = """
            graph(%x : f32[4]):
              %1 : f32[4] = aten::relu(%x)
              %2 : f32[4] = aten::relu(%x)
              %3 : f32[4] = aten::add(%1, %2)
              %4 : f32[4] = aten::exp(%x)
              return (%3)
            """;

    @Test
    void runsPassesInOrderWithCountersTimingAndPrinting() {
        Graph g = IrParser.parse(INPUT);
        List<String> printed = new ArrayList<>();
        PipelineReport r = PassManager.pipeline("cleanup").add(new CommonSubexpressionElimination(),
                new DeadCodeElimination()).verify(true).printAfterEach(printed::add).build().run(g);
        assertEquals(List.of("cse", "dce"), r.runs().stream().map(PipelineReport.PassRun::pass).toList());
        assertEquals(1, r.count("cse", "merged"));
        assertEquals(1, r.count("dce", "removed"));
        assertTrue(r.runs().stream().allMatch(x -> x.nanos() >= 0));
        assertEquals(2, printed.size());
        assertTrue(printed.get(0).startsWith("// after cse (merged=1)\ngraph(%x : f32[4]):"), printed.get(0));
        assertTrue(printed.get(1).contains("%3 : f32[4] = aten::add(%1, %1)") && !printed.get(1).contains("exp"),
                printed.get(1));
        assertTrue(r.toString().contains("cse") && r.toString().contains("merged=1"), r.toString());
    }

    /** A pass that corrupts the graph: retypes the first op's output. */
    static final class Corrupt implements Pass {
        @Override
        public String name() { return "corrupt"; }

        @Override
        public PassResult run(Graph graph) {
            Node n = graph.topBlock().nodes().get(0);
            Value v = n.output();
            graph.setType(v, ((TensorType) v.type()).withDType(dev.kiln.ir.DType.FLOAT64));
            Counters c = new Counters();
            c.add("broke");
            return PassResult.of(c);
        }
    }

    @Test
    void verificationNamesTheBadPassAndThoseBeforeIt() {
        PassManager pm = PassManager.pipeline("p").add(new CommonSubexpressionElimination(), new Corrupt(),
                new DeadCodeElimination()).verify(true).build();
        PassException e = assertThrows(PassException.class, () -> pm.run(IrParser.parse(INPUT)));
        assertEquals("corrupt", e.pass());
        assertEquals(List.of("cse"), e.before());
        assertTrue(e.getMessage().startsWith("pipeline 'p': pass 'corrupt' left an invalid graph (passes run before it: "
                + "cse): verify: %1 : f64[4] = aten::relu(%x)"), e.getMessage());
    }

    @Test
    void withoutVerificationABadGraphGoesThrough() {
        Graph g = IrParser.parse(INPUT);
        PipelineReport r = PassManager.pipeline("p").add(new Corrupt()).build().run(g);
        assertEquals(1, r.count("corrupt", "broke"));
    }

    @Test
    void aThrowingPassIsReportedWithItsPredecessors() {
        Pass boom = new Pass() {
            @Override
            public String name() { return "boom"; }

            @Override
            public PassResult run(Graph graph) { throw new IllegalStateException("kaput"); }
        };
        PassManager pm = PassManager.pipeline("p").add(new DeadCodeElimination(), boom).verify(true).build();
        PassException e = assertThrows(PassException.class, () -> pm.run(IrParser.parse(INPUT)));
        assertEquals("pipeline 'p': pass 'boom' failed (passes run before it: dce): kaput", e.getMessage());
    }

    @Test
    void anInvalidInputIsBlamedOnNoPass() {
        Graph g = IrParser.parse("""
                graph(%x : f32[4]):
                  %1 : f64[4] = aten::relu(%x)
                  return (%1)
                """);
        PassException e = assertThrows(PassException.class,
                () -> PassManager.pipeline("p").add(new DeadCodeElimination()).verify(true).build().run(g));
        assertEquals("<input>", e.pass());
        assertTrue(e.getMessage().contains("passes run before it: none"), e.getMessage());
    }
}
