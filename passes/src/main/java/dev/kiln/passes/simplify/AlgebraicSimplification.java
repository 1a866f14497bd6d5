package dev.kiln.passes.simplify;

import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.GraphWalk;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a table of {@link Rule}s over every single-output op node to a fixed point (one engine, many small rules,
 * as tinygrad's {@code graph_rewrite}). When a rule answers a value, the node's uses move to it and the node is
 * erased; inputs it leaves unused are left for {@code dce}. Rules come from {@link ArithmeticRules} and
 * {@link ViewRules} by default. Counters: {@code rule.<name>} per application.
 */
public final class AlgebraicSimplification implements Pass {
    /** Sweeps stop after this many even if rules still fire (a guard against rules that undo each other). */
    static final int MAX_SWEEPS = 16;

    private final Map<Op, List<Rule>> byOp = new EnumMap<>(Op.class);

    /** The default rule tables. */
    public AlgebraicSimplification() {
        this(concat(ArithmeticRules.all(), ViewRules.all()));
    }

    public AlgebraicSimplification(List<Rule> rules) {
        for (Rule r : rules) for (Op op : r.ops()) byOp.computeIfAbsent(op, k -> new ArrayList<>()).add(r);
    }

    private static List<Rule> concat(List<Rule> a, List<Rule> b) {
        List<Rule> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Override
    public String name() { return "simplify"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            long before = c.total();
            for (Node n : GraphWalk.nodes(graph)) {
                if (GraphWalk.live(n) && n.kind() instanceof NodeKind.OpCall call && n.outputs().size() == 1) {
                    apply(n, byOp.getOrDefault(call.op(), List.of()), c);
                }
            }
            if (c.total() == before) break;
        }
        return PassResult.of(c);
    }

    private static void apply(Node n, List<Rule> rules, Counters c) {
        for (Rule r : rules) {
            Value replacement = r.matcher().apply(n);
            if (replacement == null || replacement == n.output()) continue;
            n.graph().replaceAllUsesWith(n.output(), replacement);
            n.graph().erase(n);
            c.add("rule." + r.name());
            return;
        }
    }
}
