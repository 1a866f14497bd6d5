package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.Arrays;

/**
 * Layer normalisation over the trailing {@code normalizedShape} dims, as {@code torch.nn.LayerNorm}: parameters
 * {@code weight} (ones) and {@code bias} (zeros) of shape {@code normalizedShape} when
 * {@code elementwiseAffine}, else absent.
 */
public class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;

    public LayerNorm(int normalizedShape) { this(new long[] {normalizedShape}, 1e-5, true); }

    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        int[] shape = Shapes.toIntShape(normalizedShape, "LayerNorm");
        for (int s : shape) {
            if (s < 0) throw new KilnException("LayerNorm: expected non-negative sizes in normalized_shape, found "
                    + Arrays.toString(normalizedShape));
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        registerParameter("weight", elementwiseAffine ? Init.constant(DType.FLOAT32, shape, 1) : null);
        registerParameter("bias", elementwiseAffine ? Init.constant(DType.FLOAT32, shape, 0) : null);
    }

    public long[] normalizedShape() { return normalizedShape.clone(); }

    public double eps() { return eps; }

    @Override
    public Tensor forward(Tensor input) {
        return F.layerNorm(input, normalizedShape, param("weight"), param("bias"), eps);
    }

    @Override
    public String toString() {
        int[] s = Shapes.toIntShape(normalizedShape, "LayerNorm");
        return "LayerNorm(" + Repr.tuple(s) + ", eps=" + Repr.pyFloat(eps) + ", elementwise_affine="
                + Repr.bool(param("weight") != null) + ")";
    }
}
