package dev.kiln.eager.nn;

import dev.kiln.eager.Generator;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;

/**
 * {@code y = x W^T + b}, as {@code torch.nn.Linear}: parameters {@code weight} [out, in] and {@code bias} [out]
 * (registered as absent when {@code bias} is false), both U(-1/sqrt(in), 1/sqrt(in)) initially.
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    public Linear(int inFeatures, int outFeatures) { this(inFeatures, outFeatures, true, Generator.global()); }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Generator.global());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator gen) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new KilnException("Linear: expected non-negative in_features and out_features, found "
                    + inFeatures + " and " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = Init.defaultBound(inFeatures);
        registerParameter("weight",
                Init.uniform(DType.FLOAT32, new int[] {outFeatures, inFeatures}, -bound, bound, gen));
        registerParameter("bias",
                bias ? Init.uniform(DType.FLOAT32, new int[] {outFeatures}, -bound, bound, gen) : null);
    }

    public int inFeatures() { return inFeatures; }

    public int outFeatures() { return outFeatures; }

    public Tensor weight() { return param("weight"); }

    /** The bias, or null when the layer has none. */
    public Tensor bias() { return param("bias"); }

    @Override
    public Tensor forward(Tensor input) { return F.linear(input, weight(), bias()); }

    @Override
    public String toString() {
        return "Linear(in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias="
                + Repr.bool(bias() != null) + ")";
    }
}
