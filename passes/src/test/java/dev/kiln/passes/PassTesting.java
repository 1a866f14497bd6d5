package dev.kiln.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.IrPrinter;

/**
 * Pass tests as MLIR's: input IR text, a pipeline, expected IR text. The pipeline always verifies the input and
 * the graph after every pass.
 */
public final class PassTesting {
    private PassTesting() {}

    /** Runs {@code passes} over {@code input} (verified after each) and asserts the printed result. */
    public static PipelineReport expect(String input, String expected, Pass... passes) {
        Graph g = IrParser.parse(input);
        PipelineReport r = PassManager.pipeline("test").add(passes).verify(true).build().run(g);
        assertEquals(expected, IrPrinter.print(g), r.toString());
        return r;
    }

    /** Asserts the passes leave {@code input} as it was (a negative case) and report no change. */
    public static void unchanged(String input, Pass... passes) {
        PipelineReport r = expect(input, IrPrinter.print(IrParser.parse(input)), passes);
        assertEquals(false, r.changed(), r.toString());
    }
}
