package dev.kiln.passes;

import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.ir.verify.GraphVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs a named pipeline of passes over a graph, in order, each once. Options (explicit, no globals):
 * {@code verify} checks the input and the graph after every pass with {@link GraphVerifier} (tests always turn it
 * on); {@code printAfterEach} receives {@code // after <pass>} and the IR text after every pass. Every pass is timed
 * and its counters kept in the {@link PipelineReport}. A pass that throws, or leaves a graph the verifier rejects,
 * fails the run with a {@link PassException} naming it and the passes that ran before it (FX's pass manager does
 * the same), so a bad rewrite is found at the pass that made it.
 */
public final class PassManager {
    private final String name;
    private final List<Pass> passes;
    private final boolean verify;
    private final Consumer<String> printAfterEach;

    private PassManager(String name, List<Pass> passes, boolean verify, Consumer<String> printAfterEach) {
        this.name = name;
        this.passes = List.copyOf(passes);
        this.verify = verify;
        this.printAfterEach = printAfterEach;
    }

    /** Starts a pipeline called {@code name} (verification off, no printing). */
    public static Builder pipeline(String name) { return new Builder(name); }

    public String name() { return name; }

    /** The pass names, in order. */
    public List<String> passNames() { return passes.stream().map(Pass::name).toList(); }

    /** Runs every pass over {@code graph} (in place) and reports what each did. */
    public PipelineReport run(Graph graph) {
        List<String> ran = new ArrayList<>();
        List<PipelineReport.PassRun> runs = new ArrayList<>();
        if (verify) check(graph, "<input>", ran, "was given an invalid graph");
        for (Pass p : passes) {
            long t0 = System.nanoTime();
            PassResult r;
            try {
                r = Objects.requireNonNull(p.run(graph), "pass returned no result");
            } catch (RuntimeException e) {
                throw new PassException(name, p.name(), ran, "failed", e);
            }
            long dt = System.nanoTime() - t0;
            if (verify) check(graph, p.name(), ran, "left an invalid graph");
            runs.add(new PipelineReport.PassRun(p.name(), r, dt));
            ran.add(p.name());
            if (printAfterEach != null) printAfterEach.accept("// after " + p.name() + " (" + r + ")\n" + IrPrinter.print(graph));
        }
        return new PipelineReport(name, runs);
    }

    private void check(Graph graph, String pass, List<String> ran, String what) {
        try {
            GraphVerifier.verify(graph);
        } catch (RuntimeException e) {
            throw new PassException(name, pass, ran, what, e);
        }
    }

    /** Collects the passes and options of a pipeline. */
    public static final class Builder {
        private final String name;
        private final List<Pass> passes = new ArrayList<>();
        private boolean verify;
        private Consumer<String> printAfterEach;

        private Builder(String name) { this.name = Objects.requireNonNull(name); }

        public Builder add(Pass... ps) {
            for (Pass p : ps) passes.add(Objects.requireNonNull(p));
            return this;
        }

        public Builder addAll(List<? extends Pass> ps) {
            passes.addAll(ps);
            return this;
        }

        /** Verify the input and the graph after every pass. */
        public Builder verify(boolean on) {
            this.verify = on;
            return this;
        }

        /** Receives the IR text after every pass; null turns printing off. */
        public Builder printAfterEach(Consumer<String> sink) {
            this.printAfterEach = sink;
            return this;
        }

        public PassManager build() { return new PassManager(name, passes, verify, printAfterEach); }
    }
}
