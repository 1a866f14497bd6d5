package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Generator;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The kernels that write into a caller's array ({@link Dispatcher#callInto}), against the same op run the
 * ordinary way ({@link Dispatcher#call1}, itself tested against PyTorch elsewhere): identical values, the result
 * over the given array (garbage-filled first, so a missed element shows), a fresh result when the array does not
 * fit, and a view (the array unused) where {@code reshape} needs no copy.
 */
class IntoKernelsTest {
    private static Tensor randn(long... shape) { return Tensor.randn(new Generator(5), shape); }

    /** Runs {@code op} both ways and checks them; returns the into-result. */
    private static Tensor check(Op op, Attrs attrs, Tensor... in) {
        Tensor want = Dispatcher.call1(op, attrs, in);
        float[] into = new float[(int) want.numel()];
        Arrays.fill(into, Float.NaN);
        Tensor got = Dispatcher.callInto(op, attrs, into, in);
        assertArrayEquals(want.shape(), got.shape(), op.toString());
        assertArrayEquals(want.contiguous().storage().floats(), got.contiguous().storage().floats(), op + " values");
        assertSame(into, got.storage().array(), op + " wrote into the caller's array");
        Tensor fresh = Dispatcher.callInto(op, attrs, new float[into.length + 1], in);
        assertNotSame(into, fresh.storage().array());
        assertArrayEquals(want.contiguous().storage().floats(), fresh.contiguous().storage().floats(), op + " misfit");
        return got;
    }

    @Test
    void everyIntoKernelMatchesItsOrdinaryCall() {
        Tensor x = randn(3, 4, 8);
        check(Op.SOFTMAX, Attrs.of(Op.SOFTMAX).set("dim", -1L).build(), x);
        check(Op.SOFTMAX, Attrs.of(Op.SOFTMAX).set("dim", 1L).build(), x);
        check(Op.LOG_SOFTMAX, Attrs.of(Op.LOG_SOFTMAX).set("dim", -1L).build(), x);
        check(Op.LAYER_NORM, Attrs.of(Op.LAYER_NORM).set("normalized_shape", new long[] {8}).build(), x, randn(8),
                randn(8));
        check(Op.LAYER_NORM, Attrs.of(Op.LAYER_NORM).set("normalized_shape", new long[] {4, 8}).build(),
                x.transpose(0, 1).contiguous().transpose(0, 1), null, null);
        check(Op.MAX_POOL2D, Attrs.of(Op.MAX_POOL2D).set("kernel_size", new long[] {2, 2}).build(), randn(2, 3, 6, 6));
        check(Op.MATMUL, Attrs.defaults(Op.MATMUL), x, randn(8, 5));
        check(Op.MATMUL, Attrs.defaults(Op.MATMUL), x, randn(3, 8, 2).transpose(1, 2).transpose(1, 2));
        check(Op.EMBEDDING, Attrs.defaults(Op.EMBEDDING), randn(10, 4), Tensor.ofLongs(new long[] {3, 0, 9, 3}, 2, 2));
        check(Op.RESHAPE, Attrs.of(Op.RESHAPE).set("shape", new long[] {3, 32}).build(), x.transpose(1, 2));
        check(Op.FLATTEN, Attrs.of(Op.FLATTEN).set("start_dim", 1L).build(), x.transpose(1, 2));
        check(Op.ZEROS, Attrs.of(Op.ZEROS).set("size", new long[] {2, 3}).set("dtype", DType.FLOAT32).build());
        check(Op.CAT, Attrs.of(Op.CAT).set("dim", 1L).build(), x, randn(3, 2, 8));
        check(Op.STACK, Attrs.of(Op.STACK).set("dim", 1L).build(), x, x.transpose(1, 1));
    }

    @Test
    void aViewableReshapeStaysAViewAndOtherDtypesGetFreshResults() {
        Tensor x = randn(3, 4, 8);
        float[] into = new float[96];
        Tensor v = Dispatcher.callInto(Op.RESHAPE, Attrs.of(Op.RESHAPE).set("shape", new long[] {12, 8}).build(), into,
                x);
        assertSame(x.storage().array(), v.storage().array(), "a view of the input");
        Tensor d = randn(4, 8).to(DType.FLOAT64);
        Tensor r = Dispatcher.callInto(Op.SOFTMAX, Attrs.of(Op.SOFTMAX).set("dim", -1L).build(), new float[32], d);
        assertEquals(DType.FLOAT64, r.dtype());
        assertTrue(Dispatcher.hasIntoKernel(Op.LAYER_NORM) && !Dispatcher.hasIntoKernel(Op.VIEW));
    }
}
