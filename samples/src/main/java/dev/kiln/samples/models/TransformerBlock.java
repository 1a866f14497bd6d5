package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.GELU;
import dev.kiln.eager.nn.LayerNorm;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.Module;

/** Conformance case {@code transformer_block}: a pre-LN causal transformer encoder block, written out explicitly. */
public final class TransformerBlock extends Module {
    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Linear fc1;
    private final GELU act;
    private final Linear fc2;

    public TransformerBlock() { this(64, 4); }

    public TransformerBlock(int dModel, int nHeads) {
        ln1 = registerModule("ln1", new LayerNorm(dModel));
        attn = registerModule("attn", new CausalSelfAttention(dModel, nHeads));
        ln2 = registerModule("ln2", new LayerNorm(dModel));
        fc1 = registerModule("fc1", new Linear(dModel, 4 * dModel));
        act = registerModule("act", new GELU());
        fc2 = registerModule("fc2", new Linear(4 * dModel, dModel));
    }

    @Override
    public Tensor forward(Tensor x) {
        x = x.add(attn.forward(ln1.forward(x)));
        return x.add(fc2.forward(act.forward(fc1.forward(ln2.forward(x)))));
    }
}
