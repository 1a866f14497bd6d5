package dev.kiln.ir;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The signature of an op: qualified name, tensor inputs, attributes, number of outputs and traits.
 *
 * <p>Invariants: attribute names are unique; at most the last tensor input is variadic;
 * {@code outputs} is positive, or {@link #VARIABLE_OUTPUTS} when it depends on attributes (split, chunk).
 */
public record OpSchema(String qualifiedName, List<TensorParam> inputs, List<AttrSpec> attrs, int outputs,
                       Set<OpTrait> traits) {

    /** Marker for ops whose number of outputs depends on their attributes or input shapes. */
    public static final int VARIABLE_OUTPUTS = -1;

    public OpSchema {
        inputs = List.copyOf(inputs);
        attrs = List.copyOf(attrs);
        traits = traits.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(traits));
        for (int i = 0; i < inputs.size() - 1; i++) {
            if (inputs.get(i).variadic()) {
                throw new IllegalArgumentException(qualifiedName + ": only the last tensor input may be variadic");
            }
        }
        if (outputs == 0 || outputs < VARIABLE_OUTPUTS) {
            throw new IllegalArgumentException(qualifiedName + ": bad output count " + outputs);
        }
    }

    /** The attribute spec with that name, or {@code null}. */
    public AttrSpec attr(String name) {
        for (AttrSpec a : attrs) if (a.name().equals(name)) return a;
        return null;
    }

    public boolean has(OpTrait trait) { return traits.contains(trait); }

    public boolean isVariadic() { return !inputs.isEmpty() && inputs.get(inputs.size() - 1).variadic(); }
}
