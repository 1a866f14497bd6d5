package dev.kiln.runtime.server;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A conservative check that a graph treats dimension 0 as a batch: row {@code i} of every value that has the batch
 * symbol depends only on row {@code i} of the inputs. Only then may the server join requests along dim 0 and split
 * the answers back (a {@code sum} over the whole input, a guard on it, a softmax over dim 0 or a transpose of the
 * batch dim would make one request's answer depend on another's rows).
 *
 * <p>The rule, for every node that reads a value holding the symbol: each such input holds it exactly as its dim 0
 * and nowhere else; each tensor output holds it the same way; no attribute whose name mentions {@code dim} selects
 * dim 0; no {@code training=true}. It refuses some row-independent graphs (a reshape that folds the batch into
 * another dim), never — for the catalogue's ops, whose cross-row behaviour is selected by dim attributes — accepts
 * one that mixes rows.
 */
final class RowIndependence {
    private RowIndependence() {}

    /** Empty when {@code graph} is row-independent in {@code symbol}; else why not. */
    static Optional<String> check(Graph graph, String symbol) {
        return check(graph.topBlock(), symbol);
    }

    private static Optional<String> check(Block block, String symbol) {
        for (Node node : block.nodes()) {
            boolean reads = false;
            int rank = -1;
            for (Value in : node.inputs()) {
                if (in == null || !mentions(in, symbol)) continue; // null: an absent optional input
                reads = true;
                if (!batchOnly(in, symbol)) return Optional.of(node.kind().name() + " reads " + in + " : " + in.type());
                if (rank < 0) rank = ((TensorType) in.type()).rank();
            }
            if (!reads) continue;
            if (node.kind() instanceof NodeKind.Guard) return Optional.of("a guard depends on the batch");
            for (Value out : node.outputs()) {
                if (out.type() instanceof TensorType && !batchOnly(out, symbol)) {
                    return Optional.of(node.kind().name() + " makes " + out + " : " + out.type());
                }
            }
            if (node.kind() instanceof NodeKind.OpCall call) {
                for (Map.Entry<String, Object> a : call.attrs().asMap().entrySet()) {
                    if (a.getKey().contains("dim") && selectsDim0(a.getValue(), rank)) {
                        return Optional.of(node.kind().name() + " works along dim 0 (" + a.getKey() + ")");
                    }
                    if (a.getKey().equals("training") && Boolean.TRUE.equals(a.getValue())) {
                        return Optional.of(node.kind().name() + " runs in training mode");
                    }
                }
            }
            for (Block inner : node.blocks()) {
                Optional<String> why = check(inner, symbol);
                if (why.isPresent()) return why;
            }
        }
        return Optional.empty();
    }

    private static boolean mentions(Value v, String symbol) {
        if (!(v.type() instanceof TensorType t)) return v.type().toString().contains(symbol);
        for (SymExpr d : t.shape().dims()) if (d.symbols().contains(symbol)) return true;
        return false;
    }

    /** {@code v} is a tensor whose dim 0 is exactly the symbol, which appears in no other dim. */
    private static boolean batchOnly(Value v, String symbol) {
        if (!(v.type() instanceof TensorType t) || t.rank() == 0) return false;
        List<SymExpr> dims = t.shape().dims();
        if (!dims.get(0).equals(SymExpr.symbol(symbol))) return false;
        for (int i = 1; i < dims.size(); i++) if (dims.get(i).symbols().contains(symbol)) return false;
        return true;
    }

    private static boolean selectsDim0(Object value, int rank) {
        if (value instanceof Long d) return d == 0 || d == -rank;
        if (value instanceof long[] ds) {
            if (ds.length == 0) return true; // an empty dim list means "all dims" for the reductions
            for (long d : ds) if (d == 0 || d == -rank) return true;
        }
        return false;
    }
}
