package dev.kiln.passes.memory;

import dev.kiln.ir.OpTrait;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Use;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans buffers for the intermediates of a graph's top block by liveness, so values whose lifetimes do not overlap
 * share storage. Planned values are the outputs of nodes that compute fresh tensors (op calls, fusion groups,
 * cond/scan results); graph inputs, parameters and constants have storage of their own, graph outputs go to the
 * caller, and views ({@link OpTrait#VIEW}) alias their input, extending its lifetime to theirs. A value lives from
 * its node to its last use (a use inside a sub-block counts at the owning node); a buffer is reused only after
 * that last use, never for an output of the node that last reads it (a kernel may read while it writes). Sizes
 * come from shapes evaluated under {@code bindings}, rounded up to {@value #ALIGN} bytes. Allocation is
 * greedy in program order: the smallest free buffer that fits, else the largest free buffer grown, else a new one.
 */
public final class MemoryPlanner {
    /** Buffer sizes are multiples of this (a cache line). */
    public static final long ALIGN = 64;

    private MemoryPlanner() {}

    public static MemoryPlan plan(Graph graph, Map<String, Long> bindings) {
        Block top = graph.topBlock();
        List<Node> nodes = top.nodes();
        Map<Node, Integer> at = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) at.put(nodes.get(i), i);
        Map<Value, Value> root = new IdentityHashMap<>();
        Map<Value, Integer> lastUse = new IdentityHashMap<>();
        for (Node n : nodes) {
            for (Value o : n.outputs()) {
                Value base = isView(n) && n.input(0) != null ? root.getOrDefault(n.input(0), n.input(0)) : o;
                root.put(o, base);
            }
        }
        for (Node n : nodes) {
            for (Value o : n.outputs()) {
                int last = lastUse(o, top, at, nodes.size());
                lastUse.merge(root.get(o), last, Math::max);
            }
        }
        for (Value out : graph.outputs()) lastUse.put(root.getOrDefault(out, out), Integer.MAX_VALUE);

        List<Long> buffers = new ArrayList<>();
        List<Boolean> free = new ArrayList<>();
        Map<Value, Integer> assignment = new HashMap<>();
        Map<Integer, List<Value>> dying = new HashMap<>();
        long unplanned = 0;
        long live = 0;
        long peak = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            for (Value o : n.outputs()) {
                if (!ownsStorage(n, o) || lastUse.get(o) == Integer.MAX_VALUE) continue;
                long bytes = bytes(o, bindings);
                unplanned += bytes;
                live += bytes;
                assignment.put(o, allocate(bytes, buffers, free));
                dying.computeIfAbsent(Math.max(lastUse.get(o), i), k -> new ArrayList<>()).add(o);
            }
            peak = Math.max(peak, live);
            for (Value v : dying.getOrDefault(i, List.of())) {
                free.set(assignment.get(v), true);
                live -= bytes(v, bindings);
            }
        }
        long planned = buffers.stream().mapToLong(Long::longValue).sum();
        return new MemoryPlan(buffers, assignment, planned, unplanned, peak);
    }

    private static int allocate(long bytes, List<Long> buffers, List<Boolean> free) {
        int best = -1;
        int largest = -1;
        for (int b = 0; b < buffers.size(); b++) {
            if (!free.get(b)) continue;
            if (buffers.get(b) >= bytes && (best < 0 || buffers.get(b) < buffers.get(best))) best = b;
            if (largest < 0 || buffers.get(b) > buffers.get(largest)) largest = b;
        }
        int chosen = best >= 0 ? best : largest;
        if (chosen < 0) {
            buffers.add(bytes);
            free.add(false);
            return buffers.size() - 1;
        }
        buffers.set(chosen, Math.max(bytes, buffers.get(chosen)));
        free.set(chosen, false);
        return chosen;
    }

    private static boolean isView(Node n) {
        return n.kind() instanceof NodeKind.OpCall c && c.op().has(OpTrait.VIEW);
    }

    /** Op results, fusion results and block results are fresh tensors; views, params and constants are not. */
    private static boolean ownsStorage(Node n, Value o) {
        if (!(o.type() instanceof TensorType)) return false;
        NodeKind k = n.kind();
        if (k instanceof NodeKind.OpCall) return !isView(n);
        return k instanceof NodeKind.Fused || k instanceof NodeKind.Cond || k instanceof NodeKind.Scan;
    }

    /** The index of the last top-level node reading {@code v} (the block end for a result), or its own index. */
    private static int lastUse(Value v, Block top, Map<Node, Integer> at, int end) {
        int last = at.get(v.producer());
        for (Use u : v.uses()) {
            Node user = u.user();
            while (user.block() != top) user = user.block().owner();
            last = Math.max(last, user.kind() instanceof NodeKind.Return ? end : at.get(user));
        }
        return last;
    }

    /** The size of {@code v} in bytes under {@code bindings}, rounded up to {@link #ALIGN}. */
    public static long bytes(Value v, Map<String, Long> bindings) {
        TensorType t = (TensorType) v.type();
        long n = t.dtype().itemSize();
        for (long d : t.shape().eval(bindings)) n *= d;
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }
}
