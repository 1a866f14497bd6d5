package dev.kiln.eager.kernels;

import dev.kiln.eager.Shapes;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * The generic elementwise executor: broadcasting, any dtype, any strides, through per-thread row buffers.
 *
 * <p>Each row from {@link StridedLoop} is processed in chunks of {@link RowIO#CHUNK}: operands are loaded into
 * {@code double} or {@code long} buffers (converted to the compute dtype), the scalar function runs over the
 * buffers, and the result is stored into the output's dtype. Two domains exist so that integers are never
 * rounded through double: floating compute dtypes use the double domain, integral and bool ones the long domain
 * (bool results are {@code != 0}, so bool addition is logical or, as in PyTorch).
 *
 * <p>This path calls the scalar function through an interface per element; the float32 hot ops bypass it
 * (see {@link Float32Kernels}). Invariant: outputs are fresh and contiguous, so every row's output step is 1.
 */
final class ElementwiseEngine {
    private ElementwiseEngine() {}

    /** Elements per thread for cheap bodies; transcendental ones pass a smaller grain. */
    static final int CHEAP_GRAIN = dev.kiln.eager.Parallel.ELEMENTWISE_GRAIN;
    static final int COSTLY_GRAIN = CHEAP_GRAIN / 4;

    /** {@code f} applied to every element of {@code x} in the double domain; {@code compute} is floating. */
    static Tensor unaryDouble(Tensor x, DType compute, DType outType, DoubleUnaryOperator f, int grain) {
        Tensor out = Tensor.empty(outType, x.intShape());
        boolean asFloat = compute == DType.FLOAT32;
        Storage xs = x.storage();
        Storage os = out.storage();
        run(out, new Tensor[] {x}, grain, (n, off, st) -> {
            RowIO.Scratch s = RowIO.scratch();
            double[] a = s.d[0];
            for (int c = 0; c < n; c += RowIO.CHUNK) {
                int m = Math.min(RowIO.CHUNK, n - c);
                RowIO.loadDouble(xs, off[1] + c * st[1], st[1], m, a, asFloat);
                for (int i = 0; i < m; i++) a[i] = f.applyAsDouble(a[i]);
                RowIO.storeDouble(a, os, off[0] + c, m);
            }
        });
        return out;
    }

    /** {@code f} over broadcast {@code a}, {@code b} in the double domain; {@code compute} is floating. */
    static Tensor binaryDouble(Op op, Tensor a, Tensor b, DType compute, DType outType, DoubleBinaryOperator f,
            int grain) {
        Tensor out = Tensor.empty(outType, Shapes.broadcast(a.intShape(), b.intShape(), op));
        boolean asFloat = compute == DType.FLOAT32;
        Storage as = a.storage();
        Storage bs = b.storage();
        Storage os = out.storage();
        run(out, new Tensor[] {a, b}, grain, (n, off, st) -> {
            RowIO.Scratch s = RowIO.scratch();
            double[] x = s.d[0];
            double[] y = s.d[1];
            for (int c = 0; c < n; c += RowIO.CHUNK) {
                int m = Math.min(RowIO.CHUNK, n - c);
                RowIO.loadDouble(as, off[1] + c * st[1], st[1], m, x, asFloat);
                RowIO.loadDouble(bs, off[2] + c * st[2], st[2], m, y, asFloat);
                for (int i = 0; i < m; i++) x[i] = f.applyAsDouble(x[i], y[i]);
                RowIO.storeDouble(x, os, off[0] + c, m);
            }
        });
        return out;
    }

    /** {@code f} applied to every element of integral or bool {@code x} in the long domain. */
    static Tensor unaryLong(Tensor x, DType compute, DType outType, LongUnaryOperator f) {
        Tensor out = Tensor.empty(outType, x.intShape());
        boolean asInt = compute == DType.INT32;
        Storage xs = x.storage();
        Storage os = out.storage();
        run(out, new Tensor[] {x}, CHEAP_GRAIN, (n, off, st) -> {
            long[] a = RowIO.scratch().l[0];
            for (int c = 0; c < n; c += RowIO.CHUNK) {
                int m = Math.min(RowIO.CHUNK, n - c);
                RowIO.loadLong(xs, off[1] + c * st[1], st[1], m, a, asInt);
                for (int i = 0; i < m; i++) a[i] = f.applyAsLong(a[i]);
                RowIO.storeLong(a, os, off[0] + c, m);
            }
        });
        return out;
    }

    /** {@code f} over broadcast integral or bool {@code a}, {@code b} in the long domain. */
    static Tensor binaryLong(Op op, Tensor a, Tensor b, DType compute, DType outType, LongBinaryOperator f) {
        Tensor out = Tensor.empty(outType, Shapes.broadcast(a.intShape(), b.intShape(), op));
        boolean asInt = compute == DType.INT32;
        Storage as = a.storage();
        Storage bs = b.storage();
        Storage os = out.storage();
        run(out, new Tensor[] {a, b}, CHEAP_GRAIN, (n, off, st) -> {
            RowIO.Scratch s = RowIO.scratch();
            long[] x = s.l[0];
            long[] y = s.l[1];
            for (int c = 0; c < n; c += RowIO.CHUNK) {
                int m = Math.min(RowIO.CHUNK, n - c);
                RowIO.loadLong(as, off[1] + c * st[1], st[1], m, x, asInt);
                RowIO.loadLong(bs, off[2] + c * st[2], st[2], m, y, asInt);
                for (int i = 0; i < m; i++) x[i] = f.applyAsLong(x[i], y[i]);
                RowIO.storeLong(x, os, off[0] + c, m);
            }
        });
        return out;
    }

    /**
     * A fresh contiguous copy of {@code x} converted to {@code to} as C++ casts convert (floats to integers
     * truncate toward zero, anything to bool is {@code != 0}). Floating sources go through double, integral
     * ones through long, so no value is rounded twice.
     */
    static Tensor cast(Tensor x, DType to) {
        Tensor out = Tensor.empty(to, x.intShape());
        int n = (int) out.numel();
        if (n == 0) return out;
        if (x.dtype() == to && x.isContiguous()) {
            System.arraycopy(x.storage().array(), x.storageOffset(), out.storage().array(), 0, n);
            return out;
        }
        Storage xs = x.storage();
        Storage os = out.storage();
        boolean floating = x.dtype().isFloatingPoint();
        run(out, new Tensor[] {x}, CHEAP_GRAIN, (m, off, st) -> {
            RowIO.Scratch s = RowIO.scratch();
            for (int c = 0; c < m; c += RowIO.CHUNK) {
                int k = Math.min(RowIO.CHUNK, m - c);
                if (floating) {
                    RowIO.loadDouble(xs, off[1] + c * st[1], st[1], k, s.d[0], false);
                    RowIO.storeDouble(s.d[0], os, off[0] + c, k);
                } else {
                    RowIO.loadLong(xs, off[1] + c * st[1], st[1], k, s.l[0], false);
                    RowIO.storeLong(s.l[0], os, off[0] + c, k);
                }
            }
        });
        return out;
    }

    /** {@code x} itself when it already has dtype {@code to}, else {@link #cast}. */
    static Tensor castIfNeeded(Tensor x, DType to) { return x.dtype() == to ? x : cast(x, to); }

    /**
     * Runs {@code row} over {@code out}'s shape with operand 0 the (contiguous) output and operands 1.. the
     * inputs, each broadcast to the output's shape.
     */
    static void run(Tensor out, Tensor[] inputs, int grain, StridedLoop.Row row) {
        int[] shape = out.intShape();
        int[][] strides = new int[inputs.length + 1][];
        int[] offsets = new int[inputs.length + 1];
        strides[0] = out.strides();
        offsets[0] = out.storageOffset();
        for (int i = 0; i < inputs.length; i++) {
            strides[i + 1] = Shapes.broadcastStrides(inputs[i].intShape(), inputs[i].strides(), shape);
            offsets[i + 1] = inputs[i].storageOffset();
        }
        StridedLoop.forEachRow(shape, strides, offsets, grain, row);
    }
}
