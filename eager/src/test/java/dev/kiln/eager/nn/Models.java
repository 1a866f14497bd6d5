package dev.kiln.eager.nn;

/** The conformance fixtures' model classes, rebuilt from Kiln modules (see each case's {@code source.py}). */
public final class Models {
    private Models() {}

    /** {@code mlp}: three Linear layers. */
    public static final class MLP extends Module {
        public final Linear fc1 = registerModule("fc1", new Linear(784, 256));
        public final Linear fc2 = registerModule("fc2", new Linear(256, 128));
        public final Linear fc3 = registerModule("fc3", new Linear(128, 10));
    }

    /** {@code lenet_bn}: convolutions with batch norm, then three Linear layers. */
    public static final class LeNetBN extends Module {
        public final Conv2d conv1 = registerModule("conv1", new Conv2d(1, 6, 5, 1, 2));
        public final BatchNorm2d bn1 = registerModule("bn1", new BatchNorm2d(6));
        public final Conv2d conv2 = registerModule("conv2", new Conv2d(6, 16, 5));
        public final BatchNorm2d bn2 = registerModule("bn2", new BatchNorm2d(16));
        public final MaxPool2d pool = registerModule("pool", new MaxPool2d(2));
        public final Linear fc1 = registerModule("fc1", new Linear(16 * 5 * 5, 120));
        public final Linear fc2 = registerModule("fc2", new Linear(120, 84));
        public final Linear fc3 = registerModule("fc3", new Linear(84, 10));
    }

    /** {@code resnet_block}: bias-free convolutions with batch norm, and a Linear head. */
    public static final class ResNetBlockNet extends Module {
        public final Conv2d conv1 = registerModule("conv1", Conv2d.builder(32, 32, 3).padding(1).bias(false).build());
        public final BatchNorm2d bn1 = registerModule("bn1", new BatchNorm2d(32));
        public final Conv2d conv2 = registerModule("conv2", Conv2d.builder(32, 32, 3).padding(1).bias(false).build());
        public final BatchNorm2d bn2 = registerModule("bn2", new BatchNorm2d(32));
        public final Linear fc = registerModule("fc", new Linear(32, 10));
    }

    /** {@code transformer_block}'s attention: fused qkv projection and an output projection. */
    public static final class CausalSelfAttention extends Module {
        public final Linear qkv;
        public final Linear out;

        public CausalSelfAttention(int dModel) {
            qkv = registerModule("qkv", new Linear(dModel, 3 * dModel));
            out = registerModule("out", new Linear(dModel, dModel));
        }
    }

    /** {@code transformer_block}: pre-LN block with nested attention. */
    public static final class TransformerBlock extends Module {
        public final LayerNorm ln1 = registerModule("ln1", new LayerNorm(64));
        public final CausalSelfAttention attn = registerModule("attn", new CausalSelfAttention(64));
        public final LayerNorm ln2 = registerModule("ln2", new LayerNorm(64));
        public final Linear fc1 = registerModule("fc1", new Linear(64, 256));
        public final GELU act = registerModule("act", new GELU());
        public final Linear fc2 = registerModule("fc2", new Linear(256, 64));
    }
}
