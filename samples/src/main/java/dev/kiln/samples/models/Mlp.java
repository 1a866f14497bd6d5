package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.Module;

/** Conformance case {@code mlp}: Linear(784,256)-ReLU-Linear(256,128)-ReLU-Linear(128,10). */
public final class Mlp extends Module {
    private final Linear fc1 = registerModule("fc1", new Linear(784, 256));
    private final Linear fc2 = registerModule("fc2", new Linear(256, 128));
    private final Linear fc3 = registerModule("fc3", new Linear(128, 10));

    @Override
    public Tensor forward(Tensor x) {
        x = F.relu(fc1.forward(x));
        x = F.relu(fc2.forward(x));
        return fc3.forward(x);
    }
}
