package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.tracer.Tracer;
import java.util.List;

/**
 * {@link EmbeddingRecurrent} with its recurrence written as {@link Tracer#scan} instead of a Java loop: same
 * parameters (same state-dict keys, so the case's weights load), same results, but it traces to one
 * {@code kiln::scan} node instead of twelve unrolled copies, and the traced graph runs at any sequence length.
 */
public final class EmbeddingRecurrentScan extends RecurrentParameters {
    public EmbeddingRecurrentScan() { this(1000, 32, 48); }

    public EmbeddingRecurrentScan(int vocab, int embDim, int hidden) {
        super(vocab, embDim, hidden);
    }

    /** Returns {@code List.of(h_final, h_mean)}. */
    @Override
    public Object forward(Tensor... inputs) {
        Tensor ids = inputs[0];
        Tensor x = emb.forward(ids);                                          // (B,T,E)
        Tensor h0 = Tensor.zeros(x.dtype(), ids.size(0), hidden);
        Tracer.ScanResult r = Tracer.scan(x, 1, h0, this::step);
        return List.of(r.carry(), r.stacked().mean(1, false));
    }
}
