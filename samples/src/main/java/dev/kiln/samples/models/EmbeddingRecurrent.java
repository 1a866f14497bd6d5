package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Conformance case {@code embedding_lstm_like}: an embedding followed by a plain tanh recurrence unrolled over
 * the sequence in Java; returns the final hidden state and the mean of all hidden states.
 */
public final class EmbeddingRecurrent extends RecurrentParameters {
    public EmbeddingRecurrent() { this(1000, 32, 48); }

    public EmbeddingRecurrent(int vocab, int embDim, int hidden) {
        super(vocab, embDim, hidden);
    }

    /** Returns {@code List.of(h_final, h_mean)}. */
    @Override
    public Object forward(Tensor... inputs) {
        Tensor ids = inputs[0];
        Tensor x = emb.forward(ids);                                          // (B,T,E)
        Tensor h = Tensor.zeros(x.dtype(), ids.size(0), hidden);
        List<Tensor> hs = new ArrayList<>();
        for (long t = 0; t < x.size(1); t++) {
            h = step(x.select(1, t), h);
            hs.add(h);
        }
        Tensor hMean = Tensor.stack(hs, 1).mean(1, false);
        return List.of(h, hMean);
    }
}
