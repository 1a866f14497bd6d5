package dev.kiln.ir.infer;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.type.TensorType;
import java.util.List;

/**
 * The shape and dtype rule of one op: output types from input types and attribute values, computed symbolically.
 *
 * <p>Protocol: {@code inputs} has one entry per tensor input in schema order, the variadic parameter's tensors
 * flattened in place, null for an absent optional input; {@link TypeInference} has already checked that arity.
 * A rule throws {@link TypeInferenceException} naming the op, the argument, what was expected and what was found
 * when the inputs are invalid or the result is not expressible over the symbols.
 */
@FunctionalInterface
public interface TypeRule {
    List<TensorType> infer(List<TensorType> inputs, Attrs attrs);
}
