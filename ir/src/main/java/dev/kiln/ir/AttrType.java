package dev.kiln.ir;

/** The type of an op attribute, as it appears in an {@link OpSchema} and in IR text. */
public enum AttrType {
    INT, INT_LIST, FLOAT, FLOAT_LIST, BOOL, STRING, DTYPE, SCALAR, SHAPE
}
