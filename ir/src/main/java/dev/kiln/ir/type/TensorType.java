package dev.kiln.ir.type;

import dev.kiln.ir.DType;
import java.util.Objects;

/**
 * A tensor's dtype and shape. {@code wrappedNumber} marks a 0-d tensor that stands for a Java scalar in arithmetic
 * ({@code x * 1.5}); type promotion treats it as PyTorch treats wrapped numbers, so {@code f32 * f64-wrapped} is
 * f32. Only constants are wrapped numbers; op results never are.
 *
 * <p>IR text: {@code f32[B, 1, 28, 28]}, {@code i64[]}, and {@code f64[]{wrapped}} for a wrapped number.
 */
public record TensorType(DType dtype, Shape shape, boolean wrappedNumber) implements ValueType {
    public TensorType {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (wrappedNumber && shape.rank() != 0) {
            throw new IllegalArgumentException("a wrapped number is 0-d, found shape " + shape);
        }
    }

    public static TensorType of(DType dtype, Shape shape) { return new TensorType(dtype, shape, false); }

    public static TensorType of(DType dtype, long... sizes) { return of(dtype, Shape.of(sizes)); }

    /** A wrapped-number scalar of {@code dtype}. */
    public static TensorType wrapped(DType dtype) { return new TensorType(dtype, Shape.SCALAR, true); }

    public int rank() { return shape.rank(); }

    public TensorType withShape(Shape s) { return of(dtype, s); }

    public TensorType withDType(DType d) { return of(d, shape); }

    /**
     * Component-wise, as a record's. Written out rather than left to the record: the generated ones link an invokedynamic call site
     * (ObjectMethods) on first use, about 20 ms of method-handle spinning in a cold JVM loading an archive.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof TensorType t && dtype == t.dtype && wrappedNumber == t.wrappedNumber
                && shape.equals(t.shape);
    }

    @Override
    public int hashCode() { return (31 * dtype.hashCode() + shape.hashCode()) * 31 + Boolean.hashCode(wrappedNumber); }

    @Override
    public String toString() { return dtype.irName() + shape + (wrappedNumber ? "{wrapped}" : ""); }
}
