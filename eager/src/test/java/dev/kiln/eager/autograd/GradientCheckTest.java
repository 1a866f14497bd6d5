package dev.kiln.eager.autograd;

import static dev.kiln.eager.autograd.GradCheck.Layout.CONTIGUOUS;
import static dev.kiln.eager.autograd.GradCheck.Layout.OFFSET;
import static dev.kiln.eager.autograd.GradCheck.Layout.TRANSPOSED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.DispatchInterceptor;
import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Generator;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import dev.kiln.eager.nn.Losses;
import dev.kiln.eager.nn.Reduction;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every gradient formula against central finite differences in float64, on inputs with broadcasting and
 * non-contiguous layouts (transposed strides, storage offsets). A coverage test checks that the cases exercise
 * every op of the gradient table.
 */
class GradientCheckTest {
    /** A named check: how to build the inputs (fresh each time) and the function of them to differentiate. */
    record Case(String name, Function<Random, List<Tensor>> inputs, Function<List<Tensor>, Tensor> f, double tol) {
        @Override
        public String toString() { return name; }
    }

    private static final List<Case> CASES = new ArrayList<>();
    private static final double TOL = 1e-6;

    private static void add(String name, Function<Random, List<Tensor>> inputs, Function<List<Tensor>, Tensor> f) {
        CASES.add(new Case(name, inputs, f, TOL));
    }

    /** A leaf requiring grad, values in [lo, hi). */
    private static Tensor x(Random r, GradCheck.Layout layout, double lo, double hi, int... shape) {
        return GradCheck.input(r, layout, lo, hi, shape).requiresGrad(true);
    }

    private static Tensor x(Random r, int... shape) { return x(r, TRANSPOSED, -1, 1, shape); }

    private static Tensor y(Random r, int... shape) { return x(r, OFFSET, -1, 1, shape); }

    private static Tensor pos(Random r, int... shape) { return x(r, TRANSPOSED, 0.5, 2, shape); }

    private static Tensor bools(Random r, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        boolean[] b = new boolean[n];
        for (int i = 0; i < n; i++) b[i] = r.nextBoolean();
        return Tensor.ofBools(b, Arrays.stream(shape).asLongStream().toArray());
    }

    static {
        // ---- elementwise binary, with broadcasting on both sides
        add("add alpha bcast", r -> List.of(x(r, 3, 4), y(r, 4)), in -> in.get(0).add(in.get(1), 2.0));
        add("add scalar", r -> List.of(x(r, 3, 4)), in -> in.get(0).add(1.5));
        add("sub alpha bcast", r -> List.of(x(r, 2, 1, 3), y(r, 4, 3)), in -> in.get(0).sub(in.get(1), 0.5));
        add("rsub", r -> List.of(x(r, 3, 4)), in -> in.get(0).rsub(2));
        add("mul bcast", r -> List.of(x(r, 3, 1), y(r, 1, 4)), in -> in.get(0).mul(in.get(1)));
        add("div bcast", r -> List.of(x(r, 3, 4), x(r, OFFSET, 0.5, 2, 4)), in -> in.get(0).div(in.get(1)));
        add("div floor", r -> List.of(x(r, 3, 4), x(r, OFFSET, 0.5, 2, 4)),
                in -> in.get(0).div(in.get(1), "floor").add(in.get(0)));
        add("pow tensor", r -> List.of(pos(r, 3, 4), y(r, 4)), in -> in.get(0).pow(in.get(1)));
        add("pow scalar", r -> List.of(x(r, 3, 4)), in -> in.get(0).pow(3.0));
        add("maximum", r -> List.of(x(r, 3, 4), y(r, 4)), in -> in.get(0).maximum(in.get(1)));
        add("minimum", r -> List.of(x(r, 3, 4), y(r, 3, 1)), in -> in.get(0).minimum(in.get(1)));
        add("where", r -> List.of(bools(r, 3, 4), x(r, 3, 4), y(r, 4)),
                in -> Tensor.where(in.get(0), in.get(1), in.get(2)));
        add("masked_fill", r -> List.of(x(r, 3, 4), bools(r, 4)), in -> in.get(0).maskedFill(in.get(1), -2));
        add("masked_fill value", r -> List.of(x(r, 3, 4), bools(r, 4), x(r, CONTIGUOUS, -1, 1)),
                in -> Dispatcher.call1(Op.MASKED_FILL, in.get(0), in.get(1), in.get(2)));

        // ---- elementwise unary
        add("abs", r -> List.of(x(r, 3, 4)), in -> in.get(0).abs());
        add("neg", r -> List.of(x(r, 3, 4)), in -> in.get(0).neg());
        add("exp", r -> List.of(x(r, 3, 4)), in -> in.get(0).exp());
        add("log", r -> List.of(pos(r, 3, 4)), in -> in.get(0).log());
        add("sqrt", r -> List.of(pos(r, 3, 4)), in -> in.get(0).sqrt());
        add("rsqrt", r -> List.of(pos(r, 3, 4)), in -> in.get(0).rsqrt());
        add("sin", r -> List.of(x(r, 3, 4)), in -> in.get(0).sin());
        add("cos", r -> List.of(x(r, 3, 4)), in -> in.get(0).cos());
        add("reciprocal", r -> List.of(pos(r, 3, 4)), in -> in.get(0).reciprocal());
        add("sigmoid", r -> List.of(x(r, 3, 4)), in -> in.get(0).sigmoid());
        add("tanh", r -> List.of(x(r, 3, 4)), in -> in.get(0).tanh());
        add("relu", r -> List.of(x(r, 3, 4)), in -> in.get(0).relu());
        add("gelu", r -> List.of(x(r, TRANSPOSED, -4, 4, 3, 4)), in -> in.get(0).gelu());
        add("gelu tanh", r -> List.of(x(r, TRANSPOSED, -4, 4, 3, 4)), in -> in.get(0).gelu("tanh"));
        add("silu", r -> List.of(x(r, 3, 4)), in -> in.get(0).silu());
        add("elu", r -> List.of(x(r, 3, 4)), in -> in.get(0).elu(1.5));
        add("leaky_relu", r -> List.of(x(r, 3, 4)), in -> in.get(0).leakyRelu(0.2));
        add("softplus", r -> List.of(x(r, TRANSPOSED, -2, 2, 3, 4)), in -> in.get(0).softplus(2, 1));
        add("hardtanh", r -> List.of(x(r, 3, 4)), in -> in.get(0).hardtanh(-0.5, 0.5));
        add("clamp", r -> List.of(x(r, 3, 4)), in -> in.get(0).clamp(-0.5, 0.5));
        add("clamp min", r -> List.of(x(r, 3, 4)), in -> in.get(0).clamp(-0.5, null));
        add("clamp max", r -> List.of(x(r, 3, 4)), in -> in.get(0).clamp(null, 0.5));
        add("to float64", r -> List.of(x(r, 3, 4)), in -> in.get(0).to(DType.FLOAT64));
        add("clone", r -> List.of(x(r, 3, 4)), in -> in.get(0).copy());

        // ---- reductions
        add("sum all", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).sum());
        add("sum dims keepdim", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).sum(new int[] {0, 2}, true));
        add("sum dim", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).sum(-1, false));
        add("mean all", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).mean());
        add("mean dims", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).mean(new int[] {2, 0}, false));
        add("max all", r -> List.of(x(r, 3, 4)), in -> in.get(0).max());
        add("min all", r -> List.of(x(r, 3, 4)), in -> in.get(0).min());
        add("max dim", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).max(1, false).values());
        add("min dim keepdim", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).min(-1, true).values());
        add("softmax", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).softmax(1));
        add("log_softmax", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).logSoftmax(-1));

        // ---- linear algebra
        add("matmul 1d 1d", r -> List.of(x(r, 4), y(r, 4)), in -> in.get(0).matmul(in.get(1)));
        add("matmul 1d 3d", r -> List.of(x(r, 4), y(r, 2, 4, 3)), in -> in.get(0).matmul(in.get(1)));
        add("matmul 3d 1d", r -> List.of(x(r, 2, 3, 4), y(r, 4)), in -> in.get(0).matmul(in.get(1)));
        add("matmul batch bcast", r -> List.of(x(r, 2, 1, 3, 4), y(r, 3, 4, 5)), in -> in.get(0).matmul(in.get(1)));
        add("mm", r -> List.of(x(r, 3, 4), y(r, 4, 2)), in -> in.get(0).mm(in.get(1)));
        add("bmm", r -> List.of(x(r, 2, 3, 4), y(r, 2, 4, 2)), in -> in.get(0).bmm(in.get(1)));
        add("linear", r -> List.of(x(r, 2, 3, 4), y(r, 5, 4), x(r, 5)),
                in -> F.linear(in.get(0), in.get(1), in.get(2)));
        add("linear 1d no bias", r -> List.of(x(r, 4), y(r, 5, 4)), in -> F.linear(in.get(0), in.get(1), null));

        // ---- neural network
        add("conv2d stride pad groups", r -> List.of(x(r, 2, 4, 5, 6), y(r, 6, 2, 3, 2), x(r, 6)),
                in -> F.conv2d(in.get(0), in.get(1), in.get(2), new int[] {2, 1}, new int[] {1, 1},
                        new int[] {1, 1}, 2));
        add("conv2d dilation", r -> List.of(x(r, 1, 2, 7, 7), y(r, 3, 2, 3, 3)),
                in -> F.conv2d(in.get(0), in.get(1), null, new int[] {1, 1}, new int[] {0, 2},
                        new int[] {2, 1}, 1));
        add("max_pool2d", r -> List.of(x(r, 2, 3, 6, 6)), in -> F.maxPool2d(in.get(0), 2));
        add("max_pool2d pad ceil", r -> List.of(x(r, 1, 2, 7, 6)),
                in -> F.maxPool2d(in.get(0), new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1},
                        new int[] {1, 1}, true));
        add("avg_pool2d", r -> List.of(x(r, 2, 3, 6, 6)), in -> F.avgPool2d(in.get(0), 2));
        add("avg_pool2d pad exclude", r -> List.of(x(r, 1, 2, 7, 6)),
                in -> F.avgPool2d(in.get(0), new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true, false));
        add("adaptive_avg_pool2d", r -> List.of(x(r, 1, 2, 5, 7)), in -> F.adaptiveAvgPool2d(in.get(0), 3, 2));
        add("batch_norm train", r -> List.of(x(r, 3, 2, 2, 3), y(r, 2), x(r, 2)),
                in -> F.batchNorm(in.get(0), null, null, in.get(1), in.get(2), true, 0.1, 1e-5));
        add("batch_norm eval", r -> List.of(x(r, 3, 2, 2, 3), y(r, 2), x(r, 2),
                        GradCheck.input(r, CONTIGUOUS, -1, 1, 2), GradCheck.input(r, CONTIGUOUS, 0.5, 2, 2)),
                in -> F.batchNorm(in.get(0), in.get(3), in.get(4), in.get(1), in.get(2), false, 0.1, 1e-5));
        add("layer_norm", r -> List.of(x(r, 2, 3, 4), y(r, 3, 4), x(r, 3, 4)),
                in -> F.layerNorm(in.get(0), new long[] {3, 4}, in.get(1), in.get(2), 1e-5));
        add("layer_norm no affine", r -> List.of(x(r, 3, 5)),
                in -> F.layerNorm(in.get(0), new long[] {5}, null, null, 1e-5));
        add("embedding", r -> List.of(x(r, 5, 3), Tensor.ofLongs(new long[] {1, 4, 1, 0, 2, 1}, 2, 3)),
                in -> F.embedding(in.get(1), in.get(0)));
        add("dropout train", r -> List.of(x(r, 4, 5)), in -> F.dropout(in.get(0), 0.4, true, new Generator(7)));
        add("dropout eval", r -> List.of(x(r, 4, 5)), in -> F.dropout(in.get(0), 0.4, false));

        // ---- shape and views (gradients flow through views to the tensor they view)
        add("view", r -> List.of(x(r, CONTIGUOUS, -1, 1, 2, 6)), in -> in.get(0).view(3, 4));
        add("reshape non-contiguous", r -> List.of(x(r, 2, 6)), in -> in.get(0).reshape(4, -1));
        add("flatten", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).flatten(1, 2));
        add("squeeze", r -> List.of(x(r, 2, 1, 3)), in -> in.get(0).squeeze());
        add("unsqueeze", r -> List.of(x(r, 2, 3)), in -> in.get(0).unsqueeze(1));
        add("transpose", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).transpose(0, 2));
        add("permute", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).permute(1, 2, 0));
        add("select", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).select(1, -1));
        add("slice step", r -> List.of(x(r, 3, 7)), in -> in.get(0).slice(1, 1, 6, 2));
        add("expand", r -> List.of(x(r, 3, 1)), in -> in.get(0).expand(2, 3, 4));
        add("split", r -> List.of(x(r, 5, 3)), in -> {
            List<Tensor> parts = in.get(0).split(2, 0);
            return Tensor.cat(0, parts.get(0), parts.get(2));
        });
        add("chunk", r -> List.of(x(r, 3, 6)), in -> in.get(0).chunk(3, 1).get(1).mul(2));
        add("cat", r -> List.of(x(r, 2, 3), y(r, 2, 1), x(r, 2, 2)),
                in -> Tensor.cat(1, in.get(0), in.get(1), in.get(2)));
        add("stack", r -> List.of(x(r, 2, 3), y(r, 2, 3)), in -> Tensor.stack(1, in.get(0), in.get(1)));
        add("triu", r -> List.of(x(r, 2, 3, 4)), in -> in.get(0).triu(1));
        add("tril", r -> List.of(x(r, 3, 4)), in -> in.get(0).tril(-1));
        add("view chain to base", r -> List.of(x(r, 3, 4, 5)),
                in -> in.get(0).transpose(0, 2).select(1, 2).slice(0, 1, 4, 2).unsqueeze(0).mul(3));

        // ---- losses (composed from the ops above)
        add("mse", r -> List.of(x(r, 3, 4), y(r, 3, 4)), in -> Losses.mseLoss(in.get(0), in.get(1), Reduction.MEAN));
        add("cross_entropy", r -> List.of(x(r, 4, 5), Tensor.ofLongs(new long[] {0, 4, -100, 2}),
                        GradCheck.input(r, OFFSET, 0.5, 2, 5)),
                in -> Losses.crossEntropy(in.get(0), in.get(1), in.get(2), -100, Reduction.MEAN));
        add("cross_entropy nd", r -> List.of(x(r, 2, 3, 2), Tensor.ofLongs(new long[] {0, 2, 1, 1}, 2, 2)),
                in -> Losses.crossEntropy(in.get(0), in.get(1), null, -100, Reduction.SUM));
        add("bce_with_logits", r -> List.of(x(r, TRANSPOSED, -30, 30, 3, 4),
                        GradCheck.input(r, OFFSET, 0, 1, 3, 4), x(r, OFFSET, 0.5, 2, 4)),
                in -> Losses.binaryCrossEntropyWithLogits(in.get(0), in.get(1), null, in.get(2), Reduction.NONE));
    }

    static Stream<Case> cases() { return CASES.stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesFiniteDifferences(Case c) {
        GradCheck.check(c.name(), c.inputs().apply(new Random(c.name().hashCode())), c.f(), c.tol());
    }

    /** The padding row of an embedding gets no gradient (by definition, not by calculus: no finite differences). */
    @Test
    void embeddingPaddingRowGetsNoGradient() {
        Tensor w = x(new Random(3), 5, 3);
        Tensor idx = Tensor.ofLongs(new long[] {1, 4, 1, 0}, 4);
        Dispatcher.call1(Op.EMBEDDING, Attrs.of(Op.EMBEDDING).set("padding_idx", 1L).build(), w, idx).sum().backward();
        double[] expected = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
        assertArrayEquals(expected, w.grad().toDoubleArray());
    }

    /** Every op with a gradient formula is exercised (with an input requiring grad) by some case above. */
    @Test
    void casesCoverEveryDifferentiableOp() {
        Set<Op> seen = EnumSet.noneOf(Op.class);
        DispatchInterceptor spy = (op, attrs, inputs, next) -> {
            for (Tensor t : inputs) if (t != null && t.requiresGrad()) seen.add(op);
            return next.proceed(inputs);
        };
        try (Dispatcher.Scope ignored = Dispatcher.intercept(spy)) {
            for (Case c : CASES) c.f().apply(c.inputs().apply(new Random(1)));
        }
        Set<Op> missing = EnumSet.copyOf(GradientRegistry.table().keySet());
        missing.removeAll(seen);
        assertEquals(Set.of(), missing, "differentiable ops no gradient check exercises");
    }
}
