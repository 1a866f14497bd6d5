package dev.kiln.ir.infer;

import dev.kiln.ir.IrException;
import dev.kiln.ir.Op;

/** An op's inputs or attributes do not fit its shape/dtype rule, or the result is not expressible symbolically. */
public final class TypeInferenceException extends IrException {
    public TypeInferenceException(String message) { super(message); }

    /** {@code "<op>: argument '<arg>' expected <expected>, found <found>"}. */
    static TypeInferenceException of(Op op, String arg, String expected, Object found) {
        return new TypeInferenceException(op + ": argument '" + arg + "' expected " + expected + ", found " + found);
    }
}
