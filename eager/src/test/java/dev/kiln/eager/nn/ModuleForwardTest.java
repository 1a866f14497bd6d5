package dev.kiln.eager.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.DispatchInterceptor;
import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What each module's forward asks of the dispatcher: which op, which inputs, which attributes. An interceptor
 * records the call and answers with a placeholder instead of running a kernel, so these tests need no kernel
 * family; the kernels' numerics are tested with the kernels and end to end by the conformance tests.
 */
class ModuleForwardTest {
    record Call(Op op, Attrs attrs, Tensor[] inputs) {}

    private final List<Call> calls = new ArrayList<>();
    private final Tensor placeholder = Tensor.empty(DType.FLOAT32, 2, 3);

    private final DispatchInterceptor recorder = (op, attrs, inputs, next) -> {
        calls.add(new Call(op, attrs, inputs.clone()));
        return new Tensor[] {placeholder};
    };

    /** Runs {@code body} with the recorder installed and returns the single call it made. */
    private Call only(Supplier<Tensor> body) {
        calls.clear();
        try (Dispatcher.Scope s = Dispatcher.intercept(recorder)) {
            assertSame(placeholder, body.get());
        }
        assertEquals(1, calls.size(), calls.toString());
        return calls.get(0);
    }

    private final Tensor x4 = Tensor.empty(DType.FLOAT32, 2, 3, 4, 4);

    @Test
    void linearPassesWeightAndBias() {
        Linear l = new Linear(4, 3);
        Tensor x = Tensor.empty(DType.FLOAT32, 2, 4);
        Call c = only(() -> l.call(x));
        assertEquals(Op.LINEAR, c.op());
        assertSame(x, c.inputs()[0]);
        assertSame(l.weight(), c.inputs()[1]);
        assertSame(l.bias(), c.inputs()[2]);
        Linear nb = new Linear(4, 3, false);
        assertNull(only(() -> nb.call(x)).inputs()[2]);
    }

    @Test
    void conv2dPassesItsGeometry() {
        Conv2d conv = Conv2d.builder(3, 6, 3).stride(2).padding(1, 0).dilation(2).groups(3).build();
        Call c = only(() -> conv.call(x4));
        assertEquals(Op.CONV2D, c.op());
        assertArrayEquals(new long[] {2, 2}, c.attrs().getInts("stride"));
        assertArrayEquals(new long[] {1, 0}, c.attrs().getInts("padding"));
        assertArrayEquals(new long[] {2, 2}, c.attrs().getInts("dilation"));
        assertEquals(3, c.attrs().getInt("groups"));
        assertSame(conv.weight(), c.inputs()[1]);
    }

    @Test
    void batchNormCountsBatchesInTrainingAndUsesRunningStatsInEval() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Tensor count = bn.stateDict().get("num_batches_tracked");
        Call c = only(() -> bn.call(x4));
        assertEquals(Op.BATCH_NORM, c.op());
        assertTrue(c.attrs().getBool("training"));
        assertEquals(0.1, c.attrs().getFloat("momentum"));
        assertEquals(1e-5, c.attrs().getFloat("eps"));
        assertEquals(1, count.itemLong());
        only(() -> bn.call(x4));
        assertEquals(2, count.itemLong());
        // Inputs in the op's order: input, weight, bias, running_mean, running_var.
        assertSame(bn.stateDict().get("running_mean"), c.inputs()[3]);
        assertSame(bn.stateDict().get("weight"), c.inputs()[1]);

        bn.eval();
        Call e = only(() -> bn.call(x4));
        assertTrue(!e.attrs().getBool("training"));
        assertEquals(2, count.itemLong());

        BatchNorm2d cumulative = new BatchNorm2d(3, 1e-3, null, true, true);
        only(() -> cumulative.call(x4));
        only(() -> cumulative.call(x4));
        Call third = only(() -> cumulative.call(x4));
        assertEquals(1.0 / 3, third.attrs().getFloat("momentum"), 1e-15);

        BatchNorm2d noStats = new BatchNorm2d(3, 1e-5, 0.1, false, false);
        noStats.eval();
        Call ns = only(() -> noStats.call(x4));
        assertTrue(ns.attrs().getBool("training")); // no running stats: batch statistics even in eval
        assertNull(ns.inputs()[1]);
        assertNull(ns.inputs()[3]);

        KilnException err = assertThrows(KilnException.class, () -> bn.call(Tensor.empty(DType.FLOAT32, 2, 3, 4)));
        assertTrue(err.getMessage().contains("expected 4D input") && err.getMessage().contains("found 3D"),
                err.getMessage());
    }

    @Test
    void dropoutFollowsTrainingMode() {
        Dropout d = new Dropout(0.25);
        Call t = only(() -> d.call(x4));
        assertEquals(Op.DROPOUT, t.op());
        assertTrue(t.attrs().getBool("train"));
        assertEquals(0.25, t.attrs().getFloat("p"));
        assertTrue(t.attrs().has("seed"));
        d.eval();
        assertTrue(!only(() -> d.call(x4)).attrs().getBool("train"));
    }

    @Test
    void poolingAndShapeModules() {
        Call mp = only(() -> new MaxPool2d(3, 2, 1).call(x4));
        assertEquals(Op.MAX_POOL2D, mp.op());
        assertArrayEquals(new long[] {3, 3}, mp.attrs().getInts("kernel_size"));
        assertArrayEquals(new long[] {2, 2}, mp.attrs().getInts("stride"));
        assertArrayEquals(new long[] {1, 1}, mp.attrs().getInts("padding"));
        assertArrayEquals(new long[] {2, 2}, only(() -> new MaxPool2d(2).call(x4)).attrs().getInts("stride"));

        Call ap = only(() -> new AvgPool2d(2).call(x4));
        assertEquals(Op.AVG_POOL2D, ap.op());
        assertArrayEquals(new long[] {2, 2}, ap.attrs().getInts("stride"));
        assertTrue(ap.attrs().getBool("count_include_pad"));

        Call aap = only(() -> new AdaptiveAvgPool2d(1, 2).call(x4));
        assertEquals(Op.ADAPTIVE_AVG_POOL2D, aap.op());
        assertArrayEquals(new long[] {1, 2}, aap.attrs().getInts("output_size"));

        Call fl = only(() -> new Flatten().call(x4));
        assertEquals(Op.FLATTEN, fl.op());
        assertEquals(1, fl.attrs().getInt("start_dim"));
        assertEquals(-1, fl.attrs().getInt("end_dim"));
    }

    @Test
    void activationsNormsAndEmbedding() {
        assertEquals(Op.RELU, only(() -> new ReLU().call(x4)).op());
        assertEquals(Op.SIGMOID, only(() -> new Sigmoid().call(x4)).op());
        assertEquals(Op.TANH, only(() -> new Tanh().call(x4)).op());
        assertEquals(Op.SILU, only(() -> new SiLU().call(x4)).op());
        Call g = only(() -> new GELU("tanh").call(x4));
        assertEquals(Op.GELU, g.op());
        assertEquals("tanh", g.attrs().getString("approximate"));

        LayerNorm ln = new LayerNorm(new long[] {4, 4}, 1e-6, true);
        Call l = only(() -> ln.call(x4));
        assertEquals(Op.LAYER_NORM, l.op());
        assertArrayEquals(new long[] {4, 4}, l.attrs().getInts("normalized_shape"));
        assertEquals(1e-6, l.attrs().getFloat("eps"));

        Embedding emb = new Embedding(10, 3);
        Tensor ids = Tensor.ofLongs(new long[] {1, 2});
        Call e = only(() -> emb.call(ids));
        assertEquals(Op.EMBEDDING, e.op());
        assertSame(emb.weight(), e.inputs()[0]);
        assertSame(ids, e.inputs()[1]);
    }

    @Test
    void sequentialChainsItsModules() {
        Sequential s = new Sequential(new Linear(4, 4), new ReLU(), new Flatten(0, -1));
        calls.clear();
        try (Dispatcher.Scope scope = Dispatcher.intercept(recorder)) {
            s.call(Tensor.empty(DType.FLOAT32, 1, 4));
        }
        assertEquals(List.of(Op.LINEAR, Op.RELU, Op.FLATTEN), calls.stream().map(Call::op).toList());
        assertSame(placeholder, calls.get(1).inputs()[0]); // each module gets the previous one's output
        KilnException e = assertThrows(KilnException.class, () -> new ModuleList(new ReLU()).call(x4));
        assertTrue(e.getMessage().contains("ModuleList does not implement forward"), e.getMessage());
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Sequential s = new Sequential(new Sequential(new Dropout()), new BatchNorm2d(2));
        s.eval();
        for (Module m : s.namedModules().values()) assertTrue(!m.isTraining());
        s.train();
        for (Module m : s.namedModules().values()) assertTrue(m.isTraining());
    }
}
