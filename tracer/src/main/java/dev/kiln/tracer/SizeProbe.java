package dev.kiln.tracer;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.eager.nn.Module;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safety net behind symbolic sizes. Size provenance is matched by value, so a size the program derived
 * ({@code x.size(0) * 2}, traced at batch 1 as the literal 2) can slip through as a constant and make the graph
 * wrong at other sizes. After a trace, each size symbol is probed: the example is grown by one along every dim
 * bound to it (by repeating its first slice, so data-dependent reads mostly see the same values), and eager and
 * traced must agree there. If they do not, or the graph cannot run, the symbol is specialised and the model
 * traced again. A guard failure on the probe input is inconclusive (the data changed) and passes.
 */
final class SizeProbe {
    private SizeProbe() {}

    static void probe(Module model, TracedModule traced, TraceOptions options, Map<String, Long> bindings,
            Tensor[] example) {
        for (String symbol : bindings.keySet()) {
            Tensor[] grown = grow(traced.graph().inputs(), example, symbol);
            String problem;
            try {
                List<Tensor> eager = Outputs.flatten(model.forward(grown));
                List<Tensor> got = traced.run(grown);
                problem = null;
                for (int o = 0; o < eager.size() && problem == null; o++) {
                    problem = TraceChecker.compare(got.get(o), eager.get(o), options.rtol(), options.atol());
                }
            } catch (GuardFailedException inconclusive) {
                continue;
            } catch (KilnException e) {
                problem = e.getMessage();
            }
            if (problem != null) {
                throw new Specialize(Set.of(symbol), "the graph with dynamic " + symbol + " (traced at " + symbol
                        + " = " + bindings.get(symbol) + ") does not reproduce eager at " + symbol + " = "
                        + (bindings.get(symbol) + 1) + ": " + problem);
            }
        }
    }

    private static Tensor[] grow(List<Value> inputs, Tensor[] example, String symbol) {
        Tensor[] out = example.clone();
        for (int i = 0; i < out.length; i++) {
            TensorType t = (TensorType) inputs.get(i).type();
            for (int d = 0; d < t.rank(); d++) {
                if (t.shape().dim(d).equals(SymExpr.symbol(symbol))) {
                    out[i] = Tensor.cat(d, out[i], out[i].slice(d, 0, 1, 1)).contiguous();
                }
            }
        }
        return out;
    }
}
