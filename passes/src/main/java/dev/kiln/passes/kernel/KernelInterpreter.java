package dev.kiln.passes.kernel;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.passes.util.TensorBridge;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link Kernel} point by point, the executable meaning of the kernel IR, so lowering can be tested against
 * the eager kernels without a code generator. For each point of the domain without the reduction axis it computes
 * the {@link Expr.Reduce} values (accumulating in double over the axis), then the stores along the axis (or once,
 * for reduced stores). Every expression's value is rounded to its dtype; operands are read with broadcasting.
 * Deliberately simple and slow.
 */
public final class KernelInterpreter {
    private final Kernel kernel;
    private final long[] domain;
    private final double[][] data;
    private final long[][] strides;

    private KernelInterpreter(Kernel kernel, List<Tensor> inputs, Map<String, Long> bindings) {
        this.kernel = kernel;
        this.domain = new long[kernel.domain().size()];
        for (int i = 0; i < domain.length; i++) domain[i] = kernel.domain().get(i).eval(bindings);
        int n = kernel.operands().size();
        data = new double[n][];
        strides = new long[n][];
        int next = 0;
        for (int i = 0; i < n; i++) {
            Operand o = kernel.operands().get(i);
            TensorData d = o.constant() != null ? o.constant() : TensorBridge.data(inputs.get(next++));
            data[i] = new double[d.numel()];
            for (int k = 0; k < d.numel(); k++) data[i][k] = number(d.element(k));
            // an operand only an epilogue's anchor reads may not fit the domain; it is never loaded
            strides[i] = d.shape().length <= domain.length ? broadcastStrides(d.shape()) : null;
        }
        if (next != inputs.size()) {
            throw new IllegalArgumentException("kernel " + kernel.name() + " takes " + next + " inputs, found "
                    + inputs.size());
        }
    }

    /** Runs {@code kernel}; {@code inputs} are its non-constant operands in order. */
    public static List<Tensor> run(Kernel kernel, List<Tensor> inputs, Map<String, Long> bindings) {
        return new KernelInterpreter(kernel, inputs, bindings).run(bindings);
    }

    private List<Tensor> run(Map<String, Long> bindings) {
        int axis = kernel.reductionAxis();
        long extent = axis >= 0 ? domain[axis] : 1;
        long outer = 1;
        for (int i = 0; i < domain.length; i++) if (i != axis) outer *= domain[i];
        List<Kernel.Store> stores = kernel.stores();
        double[][] out = new double[stores.size()][];
        for (int s = 0; s < out.length; s++) {
            long n = 1;
            for (long d : stores.get(s).type().shape().eval(bindings)) n *= d;
            out[s] = new double[(int) n];
        }
        long[] point = new long[domain.length];
        for (long o = 0; o < outer; o++) {
            setOuter(point, o, axis);
            Map<Expr, Double> reduced = new IdentityHashMap<>();
            for (long r = 0; r < extent; r++) {
                if (axis >= 0) point[axis] = r;
                Eval e = new Eval(point, reduced, extent);
                for (int s = 0; s < out.length; s++) {
                    Kernel.Store st = stores.get(s);
                    if (st.reduced()) {
                        if (r == 0) out[s][(int) o] = e.value(st.value());
                    } else {
                        out[s][(int) linear(point)] = e.value(st.value());
                    }
                }
            }
        }
        Tensor[] result = new Tensor[out.length];
        for (int s = 0; s < out.length; s++) {
            Kernel.Store st = stores.get(s);
            result[s] = Tensor.wrap(array(st.type().dtype(), out[s]), st.type().shape().eval(bindings));
        }
        return List.of(result);
    }

    /** Values at one point; reduce values are shared across the reduction axis through {@code reduced}. */
    private final class Eval {
        private final long[] point;
        private final Map<Expr, Double> reduced;
        private final Map<Expr, Double> memo = new IdentityHashMap<>();
        private final long extent;

        Eval(long[] point, Map<Expr, Double> reduced, long extent) {
            this.point = point;
            this.reduced = reduced;
            this.extent = extent;
        }

        double value(Expr e) {
            Double known = memo.get(e);
            if (known != null) return known;
            double v = round(e.dtype(), compute(e));
            memo.put(e, v);
            return v;
        }

        private double compute(Expr e) {
            if (e instanceof Expr.Load l) return data[l.operand()][(int) offset(l.operand())];
            if (e instanceof Expr.Const c) return c.value();
            if (e instanceof Expr.Extent) return extent;
            if (e instanceof Expr.Unary u) return Scalars.unary(u.op(), value(u.a()), u.param(), u.param2());
            if (e instanceof Expr.Binary b) {
                return Scalars.binary(b.op(), round(b.computeType(), value(b.a())), round(b.computeType(), value(b.b())));
            }
            if (e instanceof Expr.Select s) return value(s.cond()) != 0 ? value(s.a()) : value(s.b());
            Expr.Reduce r = (Expr.Reduce) e;
            Double done = reduced.get(r);
            if (done != null) return done;
            int axis = kernel.reductionAxis();
            long saved = point[axis];
            double acc = r.op() == Expr.ReduceOp.SUM ? 0 : Double.NEGATIVE_INFINITY;
            for (long k = 0; k < extent; k++) {
                point[axis] = k;
                double x = new Eval(point, reduced, extent).value(r.body());
                acc = r.op() == Expr.ReduceOp.SUM ? acc + x : (Double.isNaN(x) || Double.isNaN(acc)) ? Double.NaN
                        : Math.max(acc, x);
            }
            point[axis] = saved;
            reduced.put(r, acc);
            return acc;
        }
    }

    private long offset(int operand) {
        long off = 0;
        for (int i = 0; i < domain.length; i++) off += point(i) * strides[operand][i];
        return off;
    }

    private long[] current;

    private long point(int i) { return current[i]; }

    private void setOuter(long[] point, long o, int axis) {
        current = point;
        for (int i = domain.length - 1; i >= 0; i--) {
            if (i == axis) continue;
            point[i] = o % domain[i];
            o /= domain[i];
        }
    }

    private long linear(long[] point) {
        long idx = 0;
        for (int i = 0; i < domain.length; i++) idx = idx * domain[i] + point[i];
        return idx;
    }

    /** Strides of an operand over the domain: right-aligned, 0 where it broadcasts. */
    private long[] broadcastStrides(long[] shape) {
        long[] s = new long[domain.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            int d = domain.length - shape.length + i;
            s[d] = shape[i] == 1 && domain[d] != 1 ? 0 : stride;
            stride *= shape[i];
        }
        return s;
    }

    static double round(DType t, double v) {
        return switch (t) {
            case FLOAT32 -> (float) v;
            case FLOAT64 -> v;
            case INT32 -> (int) (long) v;
            case INT64 -> (long) v;
            case BOOL -> v != 0 ? 1 : 0;
        };
    }

    private static double number(Object e) {
        return e instanceof Boolean b ? (b ? 1 : 0) : ((Number) e).doubleValue();
    }

    private static Object array(DType t, double[] v) {
        int n = v.length;
        switch (t) {
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = (float) v[i];
                return a;
            }
            case FLOAT64 -> {
                return v.clone();
            }
            case INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = (int) v[i];
                return a;
            }
            case INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = (long) v[i];
                return a;
            }
            default -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = v[i] != 0;
                return a;
            }
        }
    }
}
