package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Embedding;
import dev.kiln.eager.nn.Module;

/**
 * The parameters shared by {@link EmbeddingRecurrent} and {@link EmbeddingRecurrentScan}: an embedding and a
 * tanh recurrence {@code h = tanh(x_t Wx + h Wh + b)}. Registered in PyTorch's {@code state_dict} order (a
 * module's own parameters before its children's: {@code Wx, Wh, b, emb.weight}), so the case's weights load into
 * either variant.
 */
abstract class RecurrentParameters extends Module {
    protected final Embedding emb;
    protected final int hidden;

    RecurrentParameters(int vocab, int embDim, int hidden) {
        this.hidden = hidden;
        registerParameter("Wx", Tensor.randn(embDim, hidden).div(Math.sqrt(embDim)));
        registerParameter("Wh", Tensor.randn(hidden, hidden).div(Math.sqrt(hidden)));
        registerParameter("b", Tensor.randn(hidden).mul(0.1));
        emb = registerModule("emb", new Embedding(vocab, embDim));
    }

    /** One step of the recurrence: {@code tanh(x_t Wx + h Wh + b)}. */
    protected final Tensor step(Tensor xt, Tensor h) {
        return xt.matmul(param("Wx")).add(h.matmul(param("Wh"))).add(param("b")).tanh();
    }
}
