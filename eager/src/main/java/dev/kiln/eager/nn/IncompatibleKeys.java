package dev.kiln.eager.nn;

import java.util.List;

/**
 * What {@link Module#loadStateDict(java.util.Map, boolean)} tolerated, as PyTorch's {@code _IncompatibleKeys}:
 * the model's keys the state dict lacked, and the state dict's keys the model lacks. Both are empty after a
 * strict load (a strict load with either would have thrown).
 */
public record IncompatibleKeys(List<String> missingKeys, List<String> unexpectedKeys) {
    public IncompatibleKeys {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
    }

    /** Whether every key matched. */
    public boolean isEmpty() { return missingKeys.isEmpty() && unexpectedKeys.isEmpty(); }
}
