package dev.kiln.tracer;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * Records {@link Tracer#cond} and {@link Tracer#scan} under a trace: the node is created first, its blocks are
 * filled by running the Java branches or body with the session's current block switched to them, and its outputs
 * are added once the blocks' result types are known. Values of the enclosing code are used directly inside the
 * blocks (lexical scoping); parameters and constants first met inside are emitted before the structured node.
 */
final class StructuredTracing {
    private StructuredTracing() {}

    static Tensor cond(TraceSession s, Tensor pred, Supplier<Tensor> thenFn, Supplier<Tensor> elseFn) {
        Value p = s.valueOf(pred);
        TensorType pt = (TensorType) p.type();
        if (pt.dtype() != DType.BOOL || pt.rank() != 0) {
            throw new TraceException("Tracer.cond: the predicate must be a 0-d bool tensor, found " + p + " : " + pt);
        }
        Node n = s.graph.create(new NodeKind.Cond()).inputs(p).blocks(2).source(s.here()).appendTo(s.currentBlock());
        Tensor[] results = new Tensor[2];
        Value[] rv = new Value[2];
        for (int i = 0; i < 2; i++) {
            Block b = n.blocks().get(i);
            s.pushBlock(b);
            try {
                results[i] = (i == 0 ? thenFn : elseFn).get();
                rv[i] = s.valueOf(results[i]);
            } finally {
                s.popBlock();
            }
            s.graph.setResults(b, List.of(rv[i]));
        }
        if (!rv[0].type().equals(rv[1].type())) {
            throw new TraceException("Tracer.cond at " + n.source() + ": the branches return different types, then "
                    + rv[0].type() + ", else " + rv[1].type());
        }
        Value out = s.graph.addOutput(n, null, rv[0].type());
        boolean taken = s.unrecorded(pred::itemBool);
        Tensor chosen = alias(results[taken ? 0 : 1]);
        s.bind(chosen, out);
        return chosen;
    }

    static Tracer.ScanResult scan(TraceSession s, Tensor xs, int dim, Tensor init, BinaryOperator<Tensor> body) {
        long steps = xs.intShape()[dim];
        if (steps == 0) throw new TraceException("Tracer.scan: cannot trace a scan over 0 slices");
        Value vx = s.valueOf(xs);
        Value vi = s.valueOf(init);
        TensorType xt = (TensorType) vx.type();
        TensorType carryType = (TensorType) vi.type();
        Node n = s.graph.create(new NodeKind.Scan(dim)).inputs(vx, vi).blocks(1).source(s.here())
                .appendTo(s.currentBlock());
        Block b = n.blocks().get(0);
        List<SymExpr> sliceDims = new ArrayList<>(xt.shape().dims());
        SymExpr tripCount = sliceDims.remove(dim);
        Tensor slice0 = s.unrecorded(() -> xs.select(dim, 0));
        Tensor carry0 = alias(init);
        s.bind(slice0, s.graph.addParameter(b, null, xt.withShape(Shape.of(sliceDims))));
        s.bind(carry0, s.graph.addParameter(b, null, carryType));
        Tensor first;
        s.pushBlock(b);
        try {
            first = body.apply(slice0, carry0);
            Value r = s.valueOf(first);
            if (!r.type().equals(carryType)) {
                throw new TraceException("Tracer.scan at " + n.source() + ": the body returns " + r.type()
                        + " but the carry is " + carryType);
            }
            s.graph.setResults(b, List.of(r));
        } finally {
            s.popBlock();
        }
        // The remaining steps only compute the eager result; the graph already holds the body.
        List<Tensor> carries = new ArrayList<>(List.of(first));
        Tensor last = s.unrecorded(() -> {
            Tensor c = first;
            for (long t = 1; t < steps; t++) {
                c = body.apply(xs.select(dim, t), c);
                carries.add(c);
            }
            return c;
        });
        Tensor stacked = s.unrecorded(() -> Tensor.stack(carries, dim));
        List<SymExpr> stackedDims = new ArrayList<>(carryType.shape().dims());
        stackedDims.add(dim, tripCount);
        Tensor finalCarry = alias(last);
        s.bind(finalCarry, s.graph.addOutput(n, null, carryType));
        s.bind(stacked, s.graph.addOutput(n, null, carryType.withShape(Shape.of(stackedDims))));
        return new Tracer.ScanResult(finalCarry, stacked);
    }

    /** A new tensor object over the same elements, so it can map to a value of its own. */
    private static Tensor alias(Tensor t) {
        return Tensor.fromStorage(t.storage(), t.intShape(), t.strides(), t.storageOffset());
    }
}
