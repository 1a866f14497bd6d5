package dev.kiln.eager.nn;

import dev.kiln.eager.Generator;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;

/**
 * A lookup table, as {@code torch.nn.Embedding}: parameter {@code weight} [numEmbeddings, embeddingDim], N(0, 1)
 * initially, with the row {@code paddingIdx} (if given; negative counts from the end) zeroed.
 */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null, Generator.global());
    }

    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        this(numEmbeddings, embeddingDim, paddingIdx, Generator.global());
    }

    /** @param paddingIdx a row in [-numEmbeddings, numEmbeddings), or null for none */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Generator gen) {
        if (numEmbeddings < 0 || embeddingDim < 0) {
            throw new KilnException("Embedding: expected non-negative num_embeddings and embedding_dim, found "
                    + numEmbeddings + " and " + embeddingDim);
        }
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
            throw new KilnException("Embedding: expected padding_idx within num_embeddings [" + (-numEmbeddings)
                    + ", " + numEmbeddings + "), found " + paddingIdx);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        Tensor w = Init.normal(DType.FLOAT32, new int[] {numEmbeddings, embeddingDim}, 0, 1, gen);
        if (this.paddingIdx != null) {
            float[] data = w.storage().floats();
            java.util.Arrays.fill(data, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim, 0f);
        }
        registerParameter("weight", w);
    }

    public int numEmbeddings() { return numEmbeddings; }

    public int embeddingDim() { return embeddingDim; }

    /** The padding row (non-negative), or null. It only affects gradients, as in PyTorch. */
    public Integer paddingIdx() { return paddingIdx; }

    public Tensor weight() { return param("weight"); }

    @Override
    public Tensor forward(Tensor indices) { return F.embedding(indices, weight()); }

    @Override
    public String toString() {
        return "Embedding(" + numEmbeddings + ", " + embeddingDim
                + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx) + ")";
    }
}
