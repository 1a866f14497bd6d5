package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.kernels.Copy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a state dict into a module in two phases: check every key, then, only if nothing is wrong, copy.
 *
 * <p>Checking first and reporting every problem in one exception spares the user a fix-one-rerun loop, and
 * guarantees a failed load leaves the module untouched. Loaded values are copied into fresh contiguous tensors,
 * so later changes to the source map's tensors do not reach the module. A tensor registered under several keys
 * (tied weights) stays shared: all its keys get the same fresh tensor, into which each key's value is copied in
 * state-dict order (the last wins, as with PyTorch's in-place {@code copy_}).
 */
final class StateDictLoader {
    private StateDictLoader() {}

    static IncompatibleKeys load(Module module, Map<String, Tensor> source, boolean strict) {
        Map<String, Tensor> own = module.stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            String key = e.getKey();
            if (!source.containsKey(key)) {
                missing.add(key);
                continue;
            }
            Tensor expected = e.getValue();
            Tensor found = source.get(key);
            if (found == null) {
                mismatches.add("value for '" + key + "': expected " + describe(expected) + ", found null");
            } else if (found.dtype() != expected.dtype() || !Arrays.equals(found.intShape(), expected.intShape())) {
                String what = found.dtype() != expected.dtype()
                        ? (Arrays.equals(found.intShape(), expected.intShape()) ? "dtype" : "dtype and shape")
                        : "shape";
                mismatches.add(what + " mismatch for '" + key + "': expected " + describe(expected)
                        + " (the model's), found " + describe(found) + " (the state dict's)");
            }
        }
        for (String key : source.keySet()) {
            if (!own.containsKey(key)) unexpected.add(key);
        }
        List<String> problems = new ArrayList<>();
        if (strict) {
            for (String key : missing) {
                problems.add("missing key '" + key + "': expected " + describe(own.get(key)) + ", found no entry");
            }
            for (String key : unexpected) {
                Tensor t = source.get(key);
                problems.add("unexpected key '" + key + "': found " + (t == null ? "null" : describe(t))
                        + ", the model has no parameter or buffer of that name");
            }
        }
        problems.addAll(mismatches);
        if (!problems.isEmpty()) {
            StringBuilder msg = new StringBuilder("Error(s) in loading state_dict for ")
                    .append(module.getClass().getSimpleName()).append(" (").append(problems.size())
                    .append(problems.size() == 1 ? " problem" : " problems").append("; nothing was loaded):");
            for (String p : problems) msg.append("\n\t").append(p);
            throw new KilnException(msg.toString());
        }
        Map<Tensor, Tensor> replacements = new IdentityHashMap<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor value = source.get(e.getKey());
            if (value == null) continue; // missing, tolerated by a non-strict load
            Tensor fresh = replacements.computeIfAbsent(e.getValue(), old -> Tensor.empty(old.dtype(), old.intShape()));
            Copy.into(value, fresh);
            module.setTensor(e.getKey(), fresh);
        }
        return new IncompatibleKeys(missing, unexpected);
    }

    /** {@code float32 [256, 784]}. */
    static String describe(Tensor t) {
        return t.dtype() + " " + Arrays.toString(t.shape());
    }
}
