package dev.kiln.samples.train;

import dev.kiln.eager.Generator;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.eager.nn.CrossEntropyLoss;
import dev.kiln.eager.nn.F;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.Module;
import dev.kiln.eager.optim.Adam;
import java.util.Random;

/**
 * Trains a small MLP (2 → 32 → 32 → 3, ReLU) with Adam and cross entropy on a synthetic 3-class problem in the
 * plane that no linear model separates: points inside a circle are class 0, outside it class 1 in the quadrants
 * where {@code x·y > 0} and class 2 elsewhere. Points closer than a small margin to a boundary are left out, so
 * the classes are separable and the network reaches more than 95% training accuracy.
 */
public final class MlpClassifier {
    private MlpClassifier() {}

    /** Final training loss and accuracy. */
    public record Result(double loss, double accuracy) {}

    /** The network. */
    static final class Net extends Module {
        private final Linear fc1;
        private final Linear fc2;
        private final Linear fc3;

        Net(Generator gen) {
            fc1 = registerModule("fc1", new Linear(2, 32, true, gen));
            fc2 = registerModule("fc2", new Linear(32, 32, true, gen));
            fc3 = registerModule("fc3", new Linear(32, 3, true, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc3.forward(F.relu(fc2.forward(F.relu(fc1.forward(x)))));
        }
    }

    public static void main(String[] args) {
        Result r = train(400, 300, 0.01, 42, true);
        System.out.printf("final: loss %.4f, accuracy %.1f%%%n", r.loss(), 100 * r.accuracy());
    }

    /** Trains on {@code points} samples for {@code epochs} full-batch Adam steps from {@code seed}. */
    public static Result train(int points, int epochs, double lr, long seed, boolean print) {
        Random rnd = new Random(seed);
        float[] xs = new float[2 * points];
        long[] labels = new long[points];
        for (int i = 0; i < points; ) {
            double a = 2 * rnd.nextDouble() - 1;
            double b = 2 * rnd.nextDouble() - 1;
            double r2 = a * a + b * b;
            boolean inside = r2 < 0.5;
            double margin = inside ? 0.5 - r2 : Math.min(r2 - 0.5, Math.min(Math.abs(a), Math.abs(b)));
            if (margin < 0.05) continue;
            xs[2 * i] = (float) a;
            xs[2 * i + 1] = (float) b;
            labels[i] = inside ? 0 : a * b > 0 ? 1 : 2;
            i++;
        }
        Tensor x = Tensor.of(xs, points, 2);
        Tensor y = Tensor.ofLongs(labels);
        Net net = new Net(new Generator(seed));
        Adam opt = new Adam(net.parameters(), lr);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        double loss = Double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Tensor l = lossFn.forward(net.forward(x), y);
            opt.zeroGrad();
            l.backward();
            opt.step();
            loss = l.item();
            if (print && (epoch % 25 == 0 || epoch == 1)) System.out.printf("epoch %3d  loss %.4f%n", epoch, loss);
        }
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            long correct = net.forward(x).argmax(1, false).eq(y).sum().itemLong();
            return new Result(loss, (double) correct / points);
        }
    }
}
