package dev.kiln.ir.type;

/**
 * The static type of an SSA value: a tensor ({@link TensorType}) or a symbolic integer ({@link SymIntType}, what
 * {@code aten::size} yields). Types are immutable values compared with {@code equals}; {@code toString} is their
 * IR text.
 */
public sealed interface ValueType permits TensorType, SymIntType {
}
