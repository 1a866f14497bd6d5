package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Embedding;
import dev.kiln.eager.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * Conformance case {@code embedding_lstm_like}: an embedding followed by a plain tanh recurrence unrolled over
 * the sequence in Java; returns the final hidden state and the mean of all hidden states.
 */
public final class EmbeddingRecurrent extends Module {
    private final Embedding emb;
    private final int hidden;

    public EmbeddingRecurrent() { this(1000, 32, 48); }

    public EmbeddingRecurrent(int vocab, int embDim, int hidden) {
        this.hidden = hidden;
        // PyTorch's state_dict lists a module's own parameters before its children's: Wx, Wh, b, emb.weight.
        registerParameter("Wx", Tensor.randn(embDim, hidden).div(Math.sqrt(embDim)));
        registerParameter("Wh", Tensor.randn(hidden, hidden).div(Math.sqrt(hidden)));
        registerParameter("b", Tensor.randn(hidden).mul(0.1));
        emb = registerModule("emb", new Embedding(vocab, embDim));
    }

    /** Returns {@code List.of(h_final, h_mean)}. */
    @Override
    public Object forward(Tensor... inputs) {
        Tensor ids = inputs[0];
        Tensor x = emb.forward(ids);                                          // (B,T,E)
        Tensor h = Tensor.zeros(x.dtype(), ids.size(0), hidden);
        List<Tensor> hs = new ArrayList<>();
        for (long t = 0; t < x.size(1); t++) {
            h = x.select(1, t).matmul(param("Wx")).add(h.matmul(param("Wh"))).add(param("b")).tanh();
            hs.add(h);
        }
        Tensor hMean = Tensor.stack(hs, 1).mean(1, false);
        return List.of(h, hMean);
    }
}
