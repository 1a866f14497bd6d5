package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.serialization.RawTensor;

/** Between the archive's {@link RawTensor} (dtype, shape, little-endian bytes) and eager {@link Tensor}s. */
final class TensorConversion {
    private TensorConversion() {}

    /** A fresh contiguous eager tensor holding {@code raw}'s elements (the one copy loading makes). */
    static Tensor toTensor(RawTensor raw) { return Tensor.wrap(raw.toArray(), raw.shape()); }

    /** {@code t}'s elements (any strides and offset) in row-major order, as the archive stores them. */
    static RawTensor toRaw(Tensor t) {
        Object elements = switch (t.dtype()) {
            case FLOAT32 -> t.toFloatArray();
            case FLOAT64 -> t.toDoubleArray();
            case INT32 -> t.toIntArray();
            case INT64 -> t.toLongArray();
            case BOOL -> t.toBoolArray();
        };
        return RawTensor.of(t.dtype(), t.shape(), elements);
    }
}
