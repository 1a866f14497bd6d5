package dev.kiln.eager.nn;

import dev.kiln.eager.Generator;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;

/**
 * Zeroes elements with probability {@code p} and scales the rest by {@code 1/(1-p)} in training mode; a copy in
 * eval mode, as {@code torch.nn.Dropout}. Masks come from the module's {@link Generator}.
 */
public class Dropout extends Module {
    private final double p;
    private final Generator generator;

    public Dropout() { this(0.5); }

    public Dropout(double p) { this(p, Generator.global()); }

    public Dropout(double p, Generator generator) {
        if (!(p >= 0 && p <= 1)) {
            throw new KilnException("Dropout: expected a probability p between 0 and 1, found " + p);
        }
        this.p = p;
        this.generator = generator;
    }

    public double p() { return p; }

    @Override
    public Tensor forward(Tensor input) { return F.dropout(input, p, isTraining(), generator); }

    @Override
    public String toString() { return "Dropout(p=" + Repr.pyFloat(p) + ", inplace=False)"; }
}
