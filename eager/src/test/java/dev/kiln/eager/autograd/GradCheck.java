package dev.kiln.eager.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Checks autograd against central finite differences in float64: for a random cotangent R, the gradient of
 * {@code L(x) = sum(f(x) * R)} from backward must match {@code (L(x + h e_i) - L(x - h e_i)) / 2h} for every
 * element of every input that requires grad. Perturbations are written straight into storage, so inputs may have
 * any geometry (transposed, offset).
 */
final class GradCheck {
    private GradCheck() {}

    static final double H = 1e-6;

    /** A float64 tensor of {@code shape} with values uniform in [lo, hi), laid out per {@code layout}. */
    static Tensor input(Random rnd, Layout layout, double lo, double hi, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        int rank = shape.length;
        Tensor t;
        switch (layout) {
            case CONTIGUOUS -> t = Tensor.fromStorage(Storage.allocate(DType.FLOAT64, n), shape, contiguous(shape), 0);
            case OFFSET -> t = Tensor.fromStorage(Storage.allocate(DType.FLOAT64, n + 3), shape, contiguous(shape), 3);
            case TRANSPOSED -> {
                // A view whose dims are stored in reverse order (column-major), with an offset.
                int[] rev = new int[rank];
                for (int d = 0; d < rank; d++) rev[d] = shape[rank - 1 - d];
                int[] revStrides = contiguous(rev);
                int[] strides = new int[rank];
                for (int d = 0; d < rank; d++) strides[d] = revStrides[rank - 1 - d];
                t = Tensor.fromStorage(Storage.allocate(DType.FLOAT64, n + 2), shape, strides, 2);
            }
            default -> throw new IllegalArgumentException(layout.toString());
        }
        forEachIndex(shape, idx -> t.storage().setDouble(t.storageIndex(idx), lo + (hi - lo) * rnd.nextDouble()));
        return t;
    }

    enum Layout { CONTIGUOUS, OFFSET, TRANSPOSED }

    /** Runs the check; {@code inputs} that require grad are the ones differentiated. */
    static void check(String name, List<Tensor> inputs, Function<List<Tensor>, Tensor> f, double tol) {
        Tensor y = f.apply(inputs);
        Random rnd = new Random(name.hashCode());
        Tensor cot = input(rnd, Layout.CONTIGUOUS, -1, 1, y.intShape());
        for (Tensor x : inputs) if (x != null && x.requiresGrad()) x.autogradMeta().setGrad(null);
        y.backward(cot.to(y.dtype()));
        for (int k = 0; k < inputs.size(); k++) {
            Tensor x = inputs.get(k);
            if (x == null || !x.requiresGrad()) continue;
            Tensor g = x.grad();
            assertNotNull(g, name + ": input " + k + " got no gradient");
            assertEquals(Arrays.toString(x.shape()), Arrays.toString(g.shape()), name + ": gradient shape of input " + k);
            int fk = k;
            forEachIndex(x.intShape(), idx -> {
                int at = x.storageIndex(idx);
                double orig = x.storage().getDouble(at);
                x.storage().setDouble(at, orig + H);
                double plus = loss(f, inputs, cot);
                x.storage().setDouble(at, orig - H);
                double minus = loss(f, inputs, cot);
                x.storage().setDouble(at, orig);
                double numeric = (plus - minus) / (2 * H);
                double analytic = g.getDouble(idx);
                if (!(Math.abs(numeric - analytic) <= tol * (1 + Math.abs(numeric)))) {
                    fail(name + ": d/d input" + fk + Arrays.toString(idx) + ": backward gives " + analytic
                            + ", finite differences " + numeric);
                }
            });
        }
    }

    private static double loss(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, Tensor cot) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor y = f.apply(inputs).to(DType.FLOAT64);
            double[] a = y.toDoubleArray();
            double[] r = cot.toDoubleArray();
            double s = 0;
            for (int i = 0; i < a.length; i++) s += a[i] * r[i];
            return s;
        }
    }

    interface IndexBody {
        void run(long[] idx);
    }

    static void forEachIndex(int[] shape, IndexBody body) {
        long n = 1;
        for (int s : shape) n *= s;
        long[] idx = new long[shape.length];
        for (long k = 0; k < n; k++) {
            body.run(idx.clone());
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
    }

    static int[] contiguous(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }
}
