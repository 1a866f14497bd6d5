package dev.kiln.tracer;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.verify.GraphVerifier;
import dev.kiln.ir.verify.VerifyException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * Turns an eager model into a {@link TracedModule}: {@code Tracer.trace(model, example...)} runs the model once with
 * a recorder in the dispatcher, keeps sizes that come from dynamic input dims symbolic, turns Java reads of tensor
 * data into guards, verifies the graph, and checks it against eager execution (see {@code docs/tracing.md}).
 *
 * <p>{@link #cond} and {@link #scan} are structured control flow: in eager code they simply run; under a trace
 * they become one {@code kiln::cond} / {@code kiln::scan} node whose blocks hold the traced branches or loop body.
 */
public final class Tracer {
    /** How many times a trace may be redone with more sizes specialised before giving up. */
    private static final int MAX_ATTEMPTS = 8;

    private Tracer() {}

    /** Traces {@code model} on {@code example} with the default options. */
    public static TracedModule trace(Module model, Tensor... example) {
        return trace(model, TraceOptions.defaults(), example);
    }

    /**
     * Traces {@code model} on {@code example}. Where a dynamic size cannot stay symbolic, the trace is redone with
     * that size static (a warning says why; strict mode fails instead). The result is verified, each dynamic size
     * is probed at another value ({@link SizeProbe}), and the graph is checked against eager execution on the
     * example and on {@code options.checkInputs()}.
     */
    public static TracedModule trace(Module model, TraceOptions options, Tensor... example) {
        Set<String> specialised = new HashSet<>();
        List<String> notes = new ArrayList<>();
        for (int attempt = 0; ; attempt++) {
            List<String> warnings = new ArrayList<>(notes);
            try {
                Map<String, Long> bindings = new HashMap<>();
                TracedModule traced = traceOnce(model, options, specialised, bindings, warnings, example);
                if (options.probeSizes()) SizeProbe.probe(model, traced, options, bindings, example);
                for (String w : warnings) options.warnings().accept(w);
                TraceChecker.check(model, traced, options, example);
                return traced;
            } catch (Specialize s) {
                if (options.strict()) throw new TraceException("strict trace: " + s.getMessage());
                if (!specialised.addAll(s.symbols) || attempt >= MAX_ATTEMPTS) {
                    throw new TraceException("cannot trace: " + s.getMessage());
                }
                notes.add("specialised " + s.symbols + ": " + s.getMessage());
            }
        }
    }

    private static TracedModule traceOnce(Module model, TraceOptions options, Set<String> specialised,
            Map<String, Long> bindings, List<String> warnings, Tensor[] example) {
        TraceSession session = new TraceSession(model, options, bindings, warnings);
        Graph g = session.graph;
        for (int i = 0; i < example.length; i++) {
            Tensor x = example[i];
            String name = options.inputName(i, example.length);
            List<SymExpr> dims = new ArrayList<>();
            for (int d = 0; d < x.dim(); d++) {
                long size = x.intShape()[d];
                String sym = options.dynamicSymbol(i, d, x.dim());
                if (sym == null || specialised.contains(sym)) {
                    dims.add(SymExpr.of(size));
                    continue;
                }
                Long prev = bindings.putIfAbsent(sym, size);
                if (prev != null && prev != size) {
                    throw new TraceException("dynamic size " + sym + " is " + prev + " in an earlier input but " + size
                            + " at input '" + name + "' dim " + d);
                }
                dims.add(SymExpr.symbol(sym));
            }
            session.bind(x, g.addInput(name, TensorType.of(x.dtype(), Shape.of(dims))));
        }
        Object result = session.record(() -> model.forward(example));
        Outputs structure = Outputs.of(result);
        List<Value> outs = new ArrayList<>();
        for (Tensor t : Outputs.flatten(result)) outs.add(session.valueOf(t));
        g.setOutputs(outs.toArray(Value[]::new));
        nameOutputs(g, options.outputNames());
        try {
            GraphVerifier.verify(g);
        } catch (VerifyException e) {
            throw new TraceException("internal tracer error: the traced graph does not verify: " + e.getMessage(), e);
        }
        return new TracedModule(g, usedParameters(g, model), structure, options, warnings);
    }

    private static void nameOutputs(Graph g, List<String> names) {
        for (int i = 0; i < Math.min(names.size(), g.outputs().size()); i++) {
            Value v = g.outputs().get(i);
            if (v.producer() != null && Graph.isValidName(names.get(i))) {
                try {
                    g.rename(v, names.get(i));
                } catch (RuntimeException taken) {
                    // the name is taken by another value: keep the generated one
                }
            }
        }
    }

    private static Map<String, Tensor> usedParameters(Graph g, Module model) {
        Map<String, Tensor> state = model.stateDict();
        Map<String, Tensor> used = new LinkedHashMap<>();
        for (Node n : g.topBlock().nodes()) {
            if (n.kind() instanceof NodeKind.Param p) used.put(p.key(), state.get(p.key()));
        }
        return used;
    }

    // ---------------------------------------------------------------- structured control flow

    /**
     * {@code pred ? thenFn() : elseFn()} for a one-element bool tensor {@code pred}. Eagerly, runs one branch.
     * Under a trace, runs and records both into a {@code kiln::cond} node (they must return the same dtype and
     * shape), so the traced graph takes the right branch for every input. Branches should be free of side effects.
     */
    public static Tensor cond(Tensor pred, Supplier<Tensor> thenFn, Supplier<Tensor> elseFn) {
        if (pred.numel() != 1 || pred.dtype() != dev.kiln.ir.DType.BOOL) {
            throw new KilnException("Tracer.cond: expected a one-element bool predicate, found " + pred.dtype().irName()
                    + java.util.Arrays.toString(pred.shape()));
        }
        TraceSession s = TraceSession.active();
        if (s == null || !s.recording()) return pred.itemBool() ? thenFn.get() : elseFn.get();
        return StructuredTracing.cond(s, pred, thenFn, elseFn);
    }

    /** The results of {@link #scan}: the final carry and the carries of every step stacked along the scan dim. */
    public record ScanResult(Tensor carry, Tensor stacked) {}

    /**
     * A loop over the slices of {@code xs} along {@code dim}, as {@code jax.lax.scan}: {@code carry = body(slice,
     * carry)} for each slice in order, starting from {@code init}; returns the final carry and every step's carry
     * stacked along {@code dim}. Under a trace the body is recorded once into a {@code kiln::scan} node whose trip
     * count is the size of {@code xs} at run time; the body must return a tensor of the carry's type and must not
     * depend on Java state that changes between steps.
     */
    public static ScanResult scan(Tensor xs, int dim, Tensor init, BinaryOperator<Tensor> body) {
        int d = dim < 0 ? dim + xs.dim() : dim;
        if (d < 0 || d >= xs.dim() || d > init.dim()) {
            throw new KilnException("Tracer.scan: dim " + dim + " must index xs " + java.util.Arrays.toString(xs.shape())
                    + " and be at most the carry's rank " + init.dim());
        }
        TraceSession s = TraceSession.active();
        if (s != null && s.recording()) return StructuredTracing.scan(s, xs, d, init, body);
        List<Tensor> steps = new ArrayList<>();
        Tensor carry = init;
        for (long t = 0; t < xs.size(d); t++) {
            carry = body.apply(xs.select(d, t), carry);
            steps.add(carry);
        }
        if (steps.isEmpty()) throw new KilnException("Tracer.scan: xs has no slices along dim " + d);
        return new ScanResult(carry, Tensor.stack(steps, d));
    }
}
