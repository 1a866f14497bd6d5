package dev.kiln.tracer.models;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Dropout;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.Module;
import dev.kiln.eager.nn.ReLU;
import dev.kiln.eager.nn.Sequential;
import dev.kiln.tracer.Tracer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small models for the tracer tests; outside the tracer's package so their frames count as user code. */
public final class TestModels {
    private TestModels() {}

    /** Flattens with {@code view(size(0), -1)} like mynet, and also reads {@code size(1)} (1 at the example). */
    public static final class AmbiguousView extends Module {
        @Override
        public Tensor forward(Tensor x) {
            long channels = x.size(1);
            return x.view(x.size(0), -1).mul((double) channels);
        }
    }

    /** A size derived from the batch by arithmetic: traced at batch 1 the 2 looks like a literal. */
    public static final class DerivedSize extends Module {
        @Override
        public Tensor forward(Tensor x) { return x.view(x.size(0) * 2, -1); }
    }

    /** Adds a tensor made with the example's batch baked in as a literal. */
    public static final class BakedBatch extends Module {
        @Override
        public Tensor forward(Tensor x) { return x.add(Tensor.ones(3, 4)); }
    }

    /** Branches on a double read with {@code item()}. */
    public static final class ItemBranch extends Module {
        @Override
        public Tensor forward(Tensor x) {
            double m = x.max().item();
            return m > 1 ? x.mul(m) : x;
        }
    }

    /** Reads one element by index. */
    public static final class ElementBranch extends Module {
        @Override
        public Tensor forward(Tensor x) { return x.getDouble(0, 1) > 0 ? x.relu() : x.neg(); }
    }

    /** Bulk read of traced data. */
    public static final class BulkRead extends Module {
        @Override
        public Tensor forward(Tensor x) {
            float[] a = x.toFloatArray();
            return a[0] > 0 ? x : x.neg();
        }
    }

    /** Two inputs, a map output and a Sequential (module paths). */
    public static final class TwoInOut extends Module {
        private final Sequential body = registerModule("body", new Sequential(new Linear(4, 8), new ReLU(),
                new Linear(8, 3)));

        @Override
        public Object forward(Tensor... in) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("y", body.forward(in[0].add(in[1])));
            out.put("sum", in[0].sum());
            return out;
        }
    }

    /** Dropout, traced in whatever mode the test sets. */
    public static final class WithDropout extends Module {
        private final Dropout drop = registerModule("drop", new Dropout(0.5));

        @Override
        public Tensor forward(Tensor x) { return drop.forward(x); }
    }

    /** A factory whose draw changes every call: the trace check must catch it. */
    public static final class Noisy extends Module {
        @Override
        public Tensor forward(Tensor x) { return x.add(Tensor.rand(x.size(0), 4)); }
    }

    /** cond whose branches differ in type. */
    public static final class BadCond extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return Tracer.cond(x.sum().gt(0), () -> x, () -> x.sum());
        }
    }

    /** A scan over a dynamic sequence length, with a cond inside the body. */
    public static final class RunningClampedSum extends Module {
        private final Linear proj = registerModule("proj", new Linear(3, 3));

        @Override
        public Object forward(Tensor... in) {
            Tensor xs = in[0];
            Tensor h0 = Tensor.zeros(xs.size(0), 3);
            Tracer.ScanResult r = Tracer.scan(xs, 1, h0, (xt, h) -> {
                Tensor next = proj.forward(xt).add(h);
                return Tracer.cond(next.sum().gt(0), () -> next.tanh(), () -> next.mul(0.5));
            });
            return List.of(r.carry(), r.stacked());
        }
    }
}
