package dev.kiln.tracer;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trace check: runs the eager model and the traced graph on the example and on every check input, and fails
 * at the first output and element where they differ by more than {@code atol + rtol * |eager|} (NaNs equal), or
 * where the traced module raises (e.g. a guard fails because a check input takes another branch).
 */
final class TraceChecker {
    private TraceChecker() {}

    static void check(Module model, TracedModule traced, TraceOptions options, Tensor[] example) {
        List<Tensor[]> all = new ArrayList<>();
        all.add(example);
        all.addAll(options.checkInputs());
        for (int k = 0; k < all.size(); k++) {
            String which = k == 0 ? "the example" : "check input " + (k - 1);
            List<Tensor> eager = Outputs.flatten(model.forward(all.get(k)));
            List<Tensor> got;
            try {
                got = traced.run(all.get(k));
            } catch (KilnException e) {
                throw new TraceException("trace check on " + which + ": the traced module fails: " + e.getMessage(), e);
            }
            for (int o = 0; o < eager.size(); o++) {
                String problem = compare(got.get(o), eager.get(o), options.rtol(), options.atol());
                if (problem != null) {
                    throw new TraceException("trace check on " + which + ": "
                            + traced.outputStructure().describe(o) + " differs from eager: " + problem);
                }
            }
        }
    }

    /** Null when within tolerance, else the first difference. */
    static String compare(Tensor traced, Tensor eager, double rtol, double atol) {
        if (traced.dtype() != eager.dtype() || !Arrays.equals(traced.shape(), eager.shape())) {
            return "traced " + traced.dtype().irName() + Arrays.toString(traced.shape()) + ", eager "
                    + eager.dtype().irName() + Arrays.toString(eager.shape());
        }
        double[] a = traced.toDoubleArray();
        double[] b = eager.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i]) && Double.isNaN(b[i]) || a[i] == b[i]) continue;
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
                return "element " + Arrays.toString(unravel(i, eager.shape())) + ": traced " + a[i] + ", eager " + b[i]
                        + " (|diff| " + Math.abs(a[i] - b[i]) + " > atol " + atol + " + rtol " + rtol + " * |eager|)";
            }
        }
        return null;
    }

    private static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
