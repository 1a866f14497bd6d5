package dev.kiln.eager.bench;

import dev.kiln.eager.Tensor;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Wall-clock harness (not a test) for the float32 transcendental ops through the Tensor API: each op on 2^20
 * floats, softmax over the last dim of 1024x1024, and the {@code elementwise_chain} conformance expression on
 * 64x4096. Uses only the Tensor API, so it also runs against the code before FastMath32 for a before/after.
 * Reports the median of 25 timed runs after 40 warm-up runs. Run with:
 * <pre>
 * mvn -B -o -q -pl eager -am test-compile
 * java -cp eager/target/classes:eager/target/test-classes:ir/target/classes dev.kiln.eager.bench.ChainBench
 * </pre>
 */
public final class ChainBench {
    private ChainBench() {}

    /** sigmoid(x*1.5+0.25)*tanh(x) - 0.5*exp(-x*x) + clamp(x,-1,1) + gelu(x) + x*x/(1+abs(x)). */
    static Tensor chain(Tensor x) {
        Tensor a = x.mul(1.5).add(0.25).sigmoid().mul(x.tanh());
        Tensor b = x.mul(x).neg().exp().mul(0.5);
        Tensor c = x.clamp(-1.0, 1.0);
        Tensor d = x.gelu();
        Tensor e = x.mul(x).div(x.abs().add(1.0));
        return a.sub(b).add(c).add(d).add(e);
    }

    static double medianMillis(UnaryOperator<Tensor> f, Tensor x) {
        for (int i = 0; i < 40; i++) f.apply(x);
        double[] t = new double[25];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            f.apply(x);
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }

    static Tensor randn(int seed, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * 2);
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) s[i] = shape[i];
        return Tensor.wrap(v, s);
    }

    public static void main(String[] args) {
        Tensor big = randn(1, 1 << 20);
        String[] names = {"exp", "log(|x|)", "tanh", "sigmoid", "gelu", "gelu_tanh", "silu", "elu", "softplus"};
        Tensor pos = big.abs().add(1e-3);
        java.util.List<UnaryOperator<Tensor>> ops = java.util.List.of(t -> t.exp(), t -> pos.log(), t -> t.tanh(),
                t -> t.sigmoid(), t -> t.gelu(), t -> t.gelu("tanh"), t -> t.silu(), t -> t.elu(1.0),
                t -> t.softplus(1, 20));
        System.out.println("op (2^20 float32, Tensor API)   median ms   ns/element");
        for (int i = 0; i < ops.size(); i++) {
            double ms = medianMillis(ops.get(i), big);
            System.out.printf("%-32s %8.3f   %6.2f%n", names[i], ms, ms * 1e6 / (1 << 20));
        }
        Tensor sm = randn(2, 1024, 1024);
        System.out.printf("%-32s %8.3f%n", "softmax(1024x1024, dim=-1)", medianMillis(t -> t.softmax(-1), sm));
        Tensor x = randn(3, 64, 4096);
        System.out.printf("%-32s %8.3f%n", "elementwise_chain 64x4096", medianMillis(ChainBench::chain, x));
    }
}
