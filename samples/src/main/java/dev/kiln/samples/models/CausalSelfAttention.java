package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.Module;
import dev.kiln.ir.DType;
import java.util.List;

/** Multi-head causal self-attention with an explicit triangular mask, as in the {@code transformer_block} case. */
public final class CausalSelfAttention extends Module {
    private final int nHeads;
    private final int headDim;
    private final Linear qkv;
    private final Linear out;

    public CausalSelfAttention(int dModel, int nHeads) {
        if (dModel % nHeads != 0) {
            throw new IllegalArgumentException("d_model " + dModel + " is not divisible by n_heads " + nHeads);
        }
        this.nHeads = nHeads;
        this.headDim = dModel / nHeads;
        qkv = registerModule("qkv", new Linear(dModel, 3 * dModel));
        out = registerModule("out", new Linear(dModel, dModel));
    }

    @Override
    public Tensor forward(Tensor x) {
        long b = x.size(0);
        long t = x.size(1);
        long c = x.size(2);
        List<Tensor> parts = qkv.forward(x).chunk(3, 2);                      // 3 x (B,T,C)
        Tensor q = heads(parts.get(0), b, t);                                 // (B,H,T,hd)
        Tensor k = heads(parts.get(1), b, t);
        Tensor v = heads(parts.get(2), b, t);
        Tensor att = q.matmul(k.transpose(-2, -1)).mul(1.0 / Math.sqrt(headDim)); // (B,H,T,T)
        Tensor mask = Tensor.ones(DType.BOOL, t, t).triu(1);
        att = att.maskedFill(mask, Double.NEGATIVE_INFINITY);
        att = att.softmax(-1);
        Tensor y = att.matmul(v);                                             // (B,H,T,hd)
        y = y.transpose(1, 2).reshape(b, t, c);                               // merge heads
        return out.forward(y);
    }

    private Tensor heads(Tensor x, long b, long t) {
        return x.reshape(b, t, nHeads, headDim).transpose(1, 2);
    }
}
