package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;

/**
 * Gaussian error linear unit, as {@code torch.nn.GELU}: exact ({@code approximate = "none"}, the default) or its
 * tanh approximation ({@code "tanh"}). Stateless.
 */
public class GELU extends Module {
    private final String approximate;

    public GELU() { this("none"); }

    public GELU(String approximate) {
        if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
            throw new KilnException("GELU: expected approximate 'none' or 'tanh', found '" + approximate + "'");
        }
        this.approximate = approximate;
    }

    public String approximate() { return approximate; }

    @Override
    public Tensor forward(Tensor input) { return F.gelu(input, approximate); }

    @Override
    public String toString() { return "GELU(approximate='" + approximate + "')"; }
}
