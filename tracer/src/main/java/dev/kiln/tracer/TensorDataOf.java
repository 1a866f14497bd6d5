package dev.kiln.tracer;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.graph.TensorData;

/** Copies an eager tensor's elements into IR constant data. */
final class TensorDataOf {
    private TensorDataOf() {}

    static TensorData tensor(Tensor t) {
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
