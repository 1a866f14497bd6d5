package dev.kiln.samples.models;

import dev.kiln.eager.Generator;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.BatchNorm2d;
import dev.kiln.eager.nn.Conv2d;
import dev.kiln.eager.nn.F;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.Module;

/**
 * Conformance case {@code resnet_block}: a basic ResNet block (conv3x3-bn-relu-conv3x3-bn + identity, relu), then
 * adaptive average pooling to 1x1, flatten and a Linear classifier.
 */
public final class ResNetBlockNet extends Module {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Linear fc;

    public ResNetBlockNet() { this(32, 10); }

    public ResNetBlockNet(int channels, int numClasses) {
        conv1 = registerModule("conv1", conv3x3(channels));
        bn1 = registerModule("bn1", new BatchNorm2d(channels));
        conv2 = registerModule("conv2", conv3x3(channels));
        bn2 = registerModule("bn2", new BatchNorm2d(channels));
        fc = registerModule("fc", new Linear(channels, numClasses));
    }

    /** 3x3 convolution, stride 1, padding 1, no bias (the batch norm after it has one). */
    private static Conv2d conv3x3(int channels) {
        int[] one = {1, 1};
        return new Conv2d(channels, channels, new int[] {3, 3}, one, one, one, 1, false, Generator.global());
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor identity = x;
        Tensor out = F.relu(bn1.forward(conv1.forward(x)));
        out = bn2.forward(conv2.forward(out));
        out = F.relu(out.add(identity));
        out = F.adaptiveAvgPool2d(out, 1);
        out = out.flatten(1, -1);
        return fc.forward(out);
    }
}
