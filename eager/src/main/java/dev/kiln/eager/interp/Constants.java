package dev.kiln.eager.interp;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;

/** Turns constant data of a graph into eager tensors; a wrapped-number type gives a wrapped-number tensor. */
final class Constants {
    private Constants() {}

    static Tensor tensor(TensorData data, ValueType type) {
        if (type instanceof TensorType t && t.wrappedNumber()) {
            Object v = data.element(0);
            return switch (data.dtype()) {
                case FLOAT64 -> Tensor.scalar((Double) v);
                case INT64 -> Tensor.scalar((Long) v);
                case BOOL -> Tensor.scalar((Boolean) v);
                default -> throw new KilnException("a wrapped-number constant must be f64, i64 or bool, found "
                        + data.dtype().irName());
            };
        }
        return Tensor.wrap(data.array(), data.shape());
    }
}
