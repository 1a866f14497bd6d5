package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.TestTensors.assertFails;
import static dev.kiln.eager.kernels.TestTensors.assertFreshContiguous;
import static dev.kiln.eager.kernels.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** zeros, ones, full and arange. */
class FactoryKernelsTest {

    private static Tensor full(Object value, DType dtype, long... size) {
        return Dispatcher.call1(Op.FULL,
                Attrs.of(Op.FULL).set("size", size).set("fill_value", value).set("dtype", dtype).build());
    }

    /** arange with any mix of Long/Double scalars and an optional dtype ({@code null}: inferred). */
    private static Tensor arange(Object start, Object end, Object step, DType dtype) {
        return Dispatcher.call1(Op.ARANGE, Attrs.of(Op.ARANGE).set("start", start).set("end", end).set("step", step)
                .set("dtype", dtype).build());
    }

    @Test
    void registryCoversTheShapeAndFactoryFamilies() {
        EnumSet<Op> mine = EnumSet.of(Op.VIEW, Op.RESHAPE, Op.TRANSPOSE, Op.PERMUTE, Op.SELECT, Op.SLICE, Op.EXPAND,
                Op.SQUEEZE, Op.UNSQUEEZE, Op.FLATTEN, Op.CAT, Op.STACK, Op.SPLIT, Op.CHUNK, Op.TRIU, Op.TRIL,
                Op.ZEROS, Op.ONES, Op.FULL, Op.ARANGE, Op.RAND, Op.RANDN);
        for (Op op : mine) assertTrue(KernelRegistry.table().containsKey(op), op + " has no kernel");
    }

    // ---------------------------------------------------------------- zeros / ones / full

    @Test
    void zerosAndOnesInEveryDType() {
        for (DType dtype : DType.values()) {
            Tensor z = Tensor.zeros(dtype, 2, 3);
            Tensor o = Tensor.ones(dtype, 2, 3);
            assertEquals(dtype, z.dtype());
            assertEquals(dtype, o.dtype());
            assertFreshContiguous(z);
            assertFreshContiguous(o);
            assertArrayEquals(new double[6], values(z));
            assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, values(o));
        }
        assertEquals(DType.FLOAT32, Tensor.zeros(4).dtype());
        Tensor scalar = Tensor.ones(DType.INT64);
        assertEquals(0, scalar.dim());
        assertEquals(1, scalar.itemLong());
        assertArrayEquals(new int[] {0, 3}, Tensor.zeros(0, 3).intShape());
        assertArrayEquals(new int[] {3, 0}, Tensor.ones(DType.BOOL, 3, 0).intShape());
    }

    @Test
    void fullConvertsTheValueAsACast() {
        assertArrayEquals(new double[] {2.5, 2.5}, values(Tensor.full(2.5, 2)));
        assertArrayEquals(new double[] {2.5, 2.5}, values(Tensor.full(2.5, DType.FLOAT64, 2)));
        assertArrayEquals(new double[] {2, 2}, values(Tensor.full(2.7, DType.INT64, 2)));
        assertArrayEquals(new double[] {-2, -2}, values(Tensor.full(-2.7, DType.INT32, 2)));
        assertArrayEquals(new double[] {1, 1}, values(Tensor.full(0.1, DType.BOOL, 2)));
        assertArrayEquals(new double[] {0}, values(Tensor.full(0.0, DType.BOOL, 1)));
        assertEquals(Long.MAX_VALUE, full(Long.MAX_VALUE, DType.INT64, 1).getLong(0));
        assertEquals(7.0, full(7L, DType.FLOAT32, 1).getDouble(0));
        assertEquals(1, full(true, DType.INT64, 1).getLong(0));
        assertEquals((float) 0.1, full(0.1, DType.FLOAT32, 1).storage().floats()[0]);
        assertEquals(Double.POSITIVE_INFINITY, full(Double.POSITIVE_INFINITY, DType.FLOAT32, 1).getDouble(0));
        assertTrue(Double.isNaN(full(Double.NaN, DType.FLOAT64, 1).getDouble(0)));
        Tensor s = Tensor.full(3.0, DType.FLOAT64);
        assertEquals(0, s.dim());
        assertEquals(3.0, s.item());
    }

    @Test
    void fullRefusesValuesTheDTypeCannotHold() {
        assertFails(() -> Tensor.full(1e10, DType.INT32, 2), "aten::full", "'fill_value'", "int32", "found 1.0E10",
                "without overflow");
        assertFails(() -> full(3_000_000_000L, DType.INT32, 2), "aten::full", "'fill_value'", "found 3000000000");
        assertFails(() -> full(Double.NaN, DType.INT64, 2), "aten::full", "'fill_value'", "int64", "found NaN");
        assertFails(() -> full(Double.POSITIVE_INFINITY, DType.INT64, 2), "aten::full", "found Infinity");
        assertFails(() -> full(1e300, DType.FLOAT32, 2), "aten::full", "'fill_value'", "float32", "found 1.0E300");
    }

    @Test
    void sizesMustBeNonNegativeAndFitAStorage() {
        assertFails(() -> Tensor.zeros(2, -1), "aten::zeros", "'size'", "found dimension -1", "[2, -1]");
        assertFails(() -> Tensor.ones(-3), "aten::ones", "'size'", "found dimension -3");
        assertFails(() -> Tensor.full(1.0, 1L << 40), "aten::full", "'size'", "found dimension 1099511627776");
        assertFails(() -> Tensor.zeros(1 << 20, 1 << 20), "aten::zeros", "'size'", "elements in all",
                "[1048576, 1048576]");
    }

    // ---------------------------------------------------------------- arange

    @Test
    void integerArangeIsInt64() {
        Tensor a = Tensor.arange(5);
        assertEquals(DType.INT64, a.dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, a.storage().longs());
        assertArrayEquals(new long[] {2, 5, 8}, Tensor.arange(2, 11, 3).storage().longs());
        assertArrayEquals(new long[] {10, 7, 4, 1}, Tensor.arange(10, 0, -3).storage().longs());
        assertArrayEquals(new long[] {-3, -2, -1}, Tensor.arange(-3, 0, 1).storage().longs());
        assertArrayEquals(new int[] {0}, Tensor.arange(0).intShape());
        assertArrayEquals(new int[] {0}, Tensor.arange(4, 4, -1).intShape());
        assertEquals(DType.INT64, arange(true, 3L, 1L, null).dtype());
        assertFreshContiguous(Tensor.arange(7));
    }

    @Test
    void floatArangeComputesStartPlusIStepInDouble() {
        Tensor a = arange(0L, 1L, 0.1, null);
        assertEquals(DType.FLOAT32, a.dtype());
        assertEquals(10, a.numel());
        for (int i = 0; i < 10; i++) assertEquals((float) (0.1 * i), a.storage().floats()[i]);
        // (1.3 - 1) / 0.1 is 3.0000000000000004 in double, so PyTorch gives 4 elements, 1.3 included.
        Tensor b = arange(1.0, 1.3, 0.1, DType.FLOAT64);
        assertEquals(4, b.numel());
        for (int i = 0; i < 4; i++) assertEquals(1.0 + 0.1 * i, b.storage().doubles()[i]);
        assertArrayEquals(new double[] {1, 1.5, 2}, Tensor.arange(1, 2.5, 0.5, DType.FLOAT64).storage().doubles());
        assertArrayEquals(new double[] {0, 0.3, 0.6, 0.3 * 3}, arange(0L, 1L, 0.3, DType.FLOAT64).storage().doubles());
        Tensor down = arange(1.0, -1.0, -0.5, null);
        assertArrayEquals(new float[] {1f, 0.5f, 0f, -0.5f}, down.storage().floats());
        assertEquals(DType.FLOAT32, arange(0L, 3.0, 1L, null).dtype());
        assertEquals(DType.FLOAT64, arange(0L, 3L, 1L, DType.FLOAT64).dtype());
        assertArrayEquals(new double[] {0, 1, 2}, values(arange(0L, 3L, 1L, DType.FLOAT64)));
    }

    @Test
    void integerDTypesConvertTheBoundsFirst() {
        Tensor a = arange(0L, 5L, 2L, DType.INT32);
        assertEquals(DType.INT32, a.dtype());
        assertArrayEquals(new int[] {0, 2, 4}, a.storage().ints());
        // int32 measures the length in double (4 elements) but steps by the int64 step 1, as ATen does.
        assertArrayEquals(new int[] {0, 1, 2, 3}, arange(0L, 5L, 1.5, DType.INT32).storage().ints());
        assertArrayEquals(new long[] {0, 2, 4}, arange(0.5, 5.9, 2L, DType.INT64).storage().longs());
    }

    @Test
    void largeArange() {
        Tensor a = Tensor.arange(100_000);
        long[] v = a.storage().longs();
        for (int i = 0; i < v.length; i++) assertEquals(i, v[i]);
        Tensor f = Tensor.arange(0, 100_000, 1, DType.FLOAT64);
        double[] d = f.storage().doubles();
        for (int i = 0; i < d.length; i++) assertEquals(i, d[i]);
    }

    @Test
    void arangeErrors() {
        assertFails(() -> Tensor.arange(0, 5, 0), "aten::arange", "'step'", "nonzero", "found 0");
        assertFails(() -> arange(0L, 5L, 0.0, null), "aten::arange", "'step'", "nonzero", "found 0.0");
        assertFails(() -> arange(0L, 5L, Double.NaN, null), "aten::arange", "'step'", "found NaN");
        assertFails(() -> arange(0L, 5L, 0.5, DType.INT64), "aten::arange", "'step'", "nonzero", "0.5");
        assertFails(() -> Tensor.arange(0, 5, -1), "aten::arange", "'step'", "sign", "found -1",
                "inconsistent with step sign");
        assertFails(() -> Tensor.arange(5, 0, 1), "aten::arange", "'step'", "found 1");
        assertFails(() -> arange(0L, Double.POSITIVE_INFINITY, 1L, null), "aten::arange", "'end'", "finite",
                "Infinity");
        assertFails(() -> arange(Double.NaN, 1L, 1L, null), "aten::arange", "'start'", "finite");
        assertFails(() -> arange(0L, 3L, 1L, DType.BOOL), "aten::arange", "'dtype'", "found bool");
        assertFails(() -> arange(0L, 1e300, 1L, DType.INT64), "aten::arange", "'end'", "int64", "found 1.0E300");
        assertFails(() -> arange(0L, 1e300, 1L, DType.FLOAT64), "aten::arange", "elements", "possible overflow");
    }
}
