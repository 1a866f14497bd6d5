package dev.kiln.passes.util;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.type.TensorType;

/** Converts between IR constant data and eager tensors, for passes that evaluate ops with the eager kernels. */
public final class TensorBridge {
    private TensorBridge() {}

    /** An eager tensor holding {@code d}; a wrapped-number {@code type} gives a wrapped-number scalar, as ATen's. */
    public static Tensor tensor(TensorData d, TensorType type) {
        if (type.wrappedNumber()) {
            Object v = d.element(0);
            if (v instanceof Boolean b) return Tensor.scalar(b);
            if (v instanceof Long l) return Tensor.scalar(l);
            return Tensor.scalar((Double) v);
        }
        return Tensor.wrap(d.array(), d.shape());
    }

    /** The elements of {@code t}, row-major, as constant data. */
    public static TensorData data(Tensor t) {
        Object array = switch (t.dtype()) {
            case BOOL -> t.toBoolArray();
            case INT32 -> t.toIntArray();
            case INT64 -> t.toLongArray();
            case FLOAT32 -> t.toFloatArray();
            case FLOAT64 -> t.toDoubleArray();
        };
        return TensorData.of(t.dtype(), t.shape(), array);
    }
}
