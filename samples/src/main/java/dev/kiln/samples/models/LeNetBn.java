package dev.kiln.samples.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.BatchNorm2d;
import dev.kiln.eager.nn.Conv2d;
import dev.kiln.eager.nn.F;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.MaxPool2d;
import dev.kiln.eager.nn.Module;

/** Conformance case {@code lenet_bn}: LeNet with BatchNorm2d, max pooling, three Linear layers and log_softmax. */
public final class LeNetBn extends Module {
    private final Conv2d conv1 = registerModule("conv1", new Conv2d(1, 6, 5, 1, 2));
    private final BatchNorm2d bn1 = registerModule("bn1", new BatchNorm2d(6));
    private final Conv2d conv2 = registerModule("conv2", new Conv2d(6, 16, 5));
    private final BatchNorm2d bn2 = registerModule("bn2", new BatchNorm2d(16));
    private final MaxPool2d pool = registerModule("pool", new MaxPool2d(2));
    private final Linear fc1 = registerModule("fc1", new Linear(16 * 5 * 5, 120));
    private final Linear fc2 = registerModule("fc2", new Linear(120, 84));
    private final Linear fc3 = registerModule("fc3", new Linear(84, 10));

    @Override
    public Tensor forward(Tensor x) {
        x = pool.forward(F.relu(bn1.forward(conv1.forward(x))));   // (B,6,14,14)
        x = pool.forward(F.relu(bn2.forward(conv2.forward(x))));   // (B,16,5,5)
        x = x.flatten(1, -1);                                       // (B,400)
        x = F.relu(fc1.forward(x));
        x = F.relu(fc2.forward(x));
        x = fc3.forward(x);
        return F.logSoftmax(x, 1);
    }
}
