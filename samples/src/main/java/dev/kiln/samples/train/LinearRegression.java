package dev.kiln.samples.train;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.MSELoss;
import dev.kiln.eager.optim.SGD;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The linear-regression loop of the PyTorch tutorial, in Kiln's eager mode: fit {@code y = w·x + b} to
 * {@code x = [[1], [2], [3]]}, {@code y = 2x}, from {@code w = b = 0}, with plain SGD (lr 0.1) on the mean
 * squared error for 100 steps. It ends near {@code w = 2}, {@code b = 0}.
 */
public final class LinearRegression {
    private LinearRegression() {}

    /** The fitted parameters and the last loss. */
    public record Result(double w, double b, double loss) {}

    public static void main(String[] args) {
        Result r = train(100, 0.1, step -> true);
        System.out.printf("final: w = %.4f, b = %.4f, loss = %.6f%n", r.w(), r.b(), r.loss());
    }

    /** Trains for {@code steps} steps, printing the loss on the steps {@code report} accepts (every 10th in main). */
    public static Result train(int steps, double lr, IntPredicate report) {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor y = x.mul(2);
        Tensor w = Tensor.zeros(1).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        SGD opt = new SGD(List.of(w, b), lr);
        MSELoss lossFn = new MSELoss();
        double last = Double.NaN;
        for (int step = 1; step <= steps; step++) {
            Tensor loss = lossFn.forward(x.mul(w).add(b), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            last = loss.item();
            if (step % 10 == 0 && report.test(step)) {
                System.out.printf("step %3d  loss %.6f  w %.4f  b %.4f%n", step, last, w.item(), b.item());
            }
        }
        return new Result(w.item(), b.item(), last);
    }
}
