package dev.kiln.ir;

/**
 * One tensor input of an op's schema.
 *
 * @param name     the ATen argument name
 * @param optional whether the caller may pass no tensor (ATen's {@code Tensor?}, e.g. a bias)
 * @param variadic whether this parameter takes a list of tensors ({@code Tensor[]}); only the last may be
 */
public record TensorParam(String name, boolean optional, boolean variadic) {
    public static TensorParam of(String name) { return new TensorParam(name, false, false); }

    public static TensorParam opt(String name) { return new TensorParam(name, true, false); }

    public static TensorParam list(String name) { return new TensorParam(name, false, true); }
}
