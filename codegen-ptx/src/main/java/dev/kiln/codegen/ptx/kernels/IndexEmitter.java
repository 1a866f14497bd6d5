package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;
import java.util.Arrays;

/**
 * Turns a flat row-major index over an iteration shape into element offsets of strided operands.
 *
 * <p>The shape is a compile-time constant, so the coordinates come from {@code div/rem} by immediates (which
 * {@code ptxas} strength-reduces to multiply-shift); they are computed once per flat index, lazily, and shared
 * by every operand that needs them. An operand whose strides are the contiguous ones uses the flat index
 * directly, and an all-zero-stride operand is a constant offset. All arithmetic is unsigned 32-bit: callers
 * check that every index and offset is below 2^31.
 */
final class IndexEmitter {
    private final PtxBuilder b;
    private final long[] shape;
    private final long[] contiguous;
    private final Reg flat;
    private Reg[] coords;

    IndexEmitter(PtxBuilder b, long[] shape, Reg flat) {
        this.b = b;
        this.shape = shape;
        this.contiguous = Strides.contiguous(shape);
        this.flat = flat;
    }

    /** The element offset {@code offset + sum coord[d] * strides[d]} as a u32 register. */
    Reg offset(long[] strides, long offset) {
        boolean isContiguous = Arrays.equals(strides, contiguous);
        Reg acc;
        if (isContiguous) {
            acc = flat;
        } else {
            acc = null;
            for (int d = 0; d < shape.length; d++) {
                if (strides[d] == 0) continue;
                Reg c = coords()[d];
                if (acc == null && strides[d] == 1) {
                    acc = c;
                    continue;
                }
                Reg next = b.r32();
                if (acc == null) b.op("mul.lo.u32", next, c, strides[d]);
                else if (strides[d] == 1) b.op("add.u32", next, c, acc);
                else b.op("mad.lo.u32", next, c, strides[d], acc);
                acc = next;
            }
        }
        if (acc == null) {
            acc = b.r32();
            b.op("mov.u32", acc, offset);
        } else if (offset != 0) {
            Reg next = b.r32();
            b.op("add.u32", next, acc, offset);
            acc = next;
        }
        return acc;
    }

    private Reg[] coords() {
        if (coords != null) return coords;
        coords = new Reg[shape.length];
        Reg q = flat;
        for (int d = shape.length - 1; d > 0; d--) {
            Reg c = b.r32();
            b.op("rem.u32", c, q, shape[d]);
            Reg nq = b.r32();
            b.op("div.u32", nq, q, shape[d]);
            coords[d] = c;
            q = nq;
        }
        if (shape.length > 0) coords[0] = q;
        return coords;
    }
}
