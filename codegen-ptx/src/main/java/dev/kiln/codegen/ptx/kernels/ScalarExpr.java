package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.alu.ScalarOp;
import java.util.List;

/**
 * The per-element computation of a kernel: a tree (shared subtrees are emitted once) over the kernel's inputs,
 * {@code f32} constants and {@link ScalarOp}s. Structural equality (records) is what lets the emitter share
 * repeated subtrees.
 */
public sealed interface ScalarExpr {

    /** The value of the kernel input {@code index} at the current element, converted to {@code f32}. */
    record Input(int index) implements ScalarExpr {
        public Input {
            if (index < 0) throw new IllegalArgumentException("input index: expected >= 0, found " + index);
        }
    }

    record Const(float value) implements ScalarExpr {
        // Records compare floats with Float.compare, so NaN constants are equal to each other: sharing is safe.
    }

    record Apply(ScalarOp op, List<ScalarExpr> args) implements ScalarExpr {
        public Apply {
            args = List.copyOf(args);
            if (args.size() != op.arity()) {
                throw new IllegalArgumentException("scalar op " + op + ": expected " + op.arity() + " operands, found " + args.size());
            }
        }
    }

    static ScalarExpr input(int index) { return new Input(index); }

    static ScalarExpr constant(double value) { return new Const((float) value); }

    static ScalarExpr apply(ScalarOp op, ScalarExpr... args) { return new Apply(op, List.of(args)); }

    /** The largest input index used, or -1. */
    default int maxInput() {
        if (this instanceof Input in) return in.index();
        if (this instanceof Apply a) return a.args().stream().mapToInt(ScalarExpr::maxInput).max().orElse(-1);
        return -1;
    }
}
