package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Conv2d;
import dev.kiln.eager.nn.F;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.Module;

/** Conformance case {@code mynet}: conv2d(1,16,3) → relu → view(x.size(0), -1) → Linear(16*26*26, 10). */
public final class MyNet extends Module {
    private final Conv2d conv = registerModule("conv", new Conv2d(1, 16, 3));
    private final Linear fc = registerModule("fc", new Linear(16 * 26 * 26, 10));

    @Override
    public Tensor forward(Tensor x) {
        x = F.relu(conv.forward(x));
        x = x.view(x.size(0), -1);
        return fc.forward(x);
    }
}
