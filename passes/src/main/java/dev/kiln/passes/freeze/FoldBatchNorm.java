package dev.kiln.passes.freeze;

import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.Counters;
import dev.kiln.passes.Pass;
import dev.kiln.passes.PassResult;
import dev.kiln.passes.util.Consts;
import dev.kiln.passes.util.GraphWalk;
import dev.kiln.passes.util.Rewrites;
import java.util.Arrays;

/**
 * Folds an eval-mode {@code aten::batch_norm} into the {@code aten::conv2d} or {@code aten::linear} that feeds it:
 * {@code bn(conv(x, W, b)) = conv(x, W * s, (b - mean) * s + beta)} with {@code s = gamma / sqrt(var + eps)} per
 * output channel ({@link BatchNormFolding}). Applies only when the producer's output is used by the norm alone, its
 * weight and bias and the norm's statistics are constants (run after {@link FreezeParameters}), and the norm's
 * channel dim (dim 1) is the producer's output-channel dim: always for conv2d, for linear only on a 2-d result
 * ({@code [N, C]}, BatchNorm1d after Linear). A training-mode norm (batch statistics) never folds. Counters:
 * {@code conv-bn}, {@code linear-bn}.
 */
public final class FoldBatchNorm implements Pass {
    @Override
    public String name() { return "fold-bn"; }

    @Override
    public PassResult run(Graph graph) {
        Counters c = new Counters();
        for (Node bn : GraphWalk.nodes(graph)) {
            if (!(bn.kind() instanceof NodeKind.OpCall call) || call.op() != Op.BATCH_NORM) continue;
            Value in = bn.input(0);
            Node p = in.producer();
            if (p == null || !(p.kind() instanceof NodeKind.OpCall pc) || in.uses().size() != 1) continue;
            boolean conv = pc.op() == Op.CONV2D;
            boolean linear = pc.op() == Op.LINEAR && ((TensorType) in.type()).rank() == 2;
            if ((conv || linear) && fold(graph, bn, p)) c.add(conv ? "conv-bn" : "linear-bn");
        }
        return PassResult.of(c);
    }

    private static boolean fold(Graph graph, Node bn, Node p) {
        TensorData w = Consts.of(p.input(1));
        if (w == null || !w.dtype().isFloatingPoint()) return false;
        long channels = w.shape()[0];
        double[] b = BatchNormFolding.vector(p.input(2), channels, 0.0);
        BatchNormFolding.Stats s = BatchNormFolding.stats(bn, channels);
        if (b == null || s == null) return false;
        TensorData w2 = BatchNormFolding.scaleWeight(w, s.scale());
        TensorData b2 = BatchNormFolding.bias(b, s, w.dtype());
        String base = p.input(1).name();
        Value wv = Rewrites.constantBefore(bn, w2, (TensorType) p.input(1).type(), base + ".bn");
        Value bv = Rewrites.constantBefore(bn, b2, TensorType.of(w.dtype(), b2.shape()), base + ".bn_bias");
        String[] names = Rewrites.freeNames(bn);
        Node q = graph.create(p.kind()).inputs(Arrays.asList(p.input(0), wv, bv)).outputs(bn.output().type())
                .names(names).source(p.source()).insertBefore(bn);
        Rewrites.replaceWithValue(bn, q.output());
        graph.erase(p);
        return true;
    }
}
