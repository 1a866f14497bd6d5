package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import org.junit.jupiter.api.Test;

/** Result dtypes and values of mixed-dtype elementwise calls, as PyTorch 1.13's result_type gives them. */
class TypePromotionTest {
    private static final Tensor I32 = Tensor.ofInts(new int[] {1, -2, 3});
    private static final Tensor I64 = Tensor.ofLongs(new long[] {1, -2, 3});
    private static final Tensor F32 = Tensor.of(new float[] {1.5f, -2f, 3f});
    private static final Tensor F64 = Tensor.of(new double[] {1.5, -2, 3});
    private static final Tensor BOOL = Tensor.ofBools(new boolean[] {true, false, true});

    @Test
    void intTensorPlusFloatScalarIsFloat32() {
        Tensor r = I32.add(2.5);
        assertEquals(DType.FLOAT32, r.dtype());
        assertArrayEquals(new float[] {3.5f, 0.5f, 5.5f}, r.toFloatArray());
        assertEquals(DType.FLOAT32, I64.mul(0.5).dtype());
    }

    @Test
    void floatTensorWithFloat64ZeroDimStaysFloat32() {
        Tensor r = F32.add(Tensor.scalarTensor(0.1, DType.FLOAT64));
        assertEquals(DType.FLOAT32, r.dtype());
        // the 0-d double is rounded to float32 before adding
        assertArrayEquals(new float[] {1.5f + 0.1f, -2f + 0.1f, 3f + 0.1f}, r.toFloatArray());
        assertEquals(DType.FLOAT64, F32.add(F64).dtype(), "two dimensioned tensors promote normally");
    }

    @Test
    void boolTensorPlusIntScalarIsInt64() {
        Tensor r = BOOL.add(Tensor.scalar(2L));
        assertEquals(DType.INT64, r.dtype());
        assertArrayEquals(new long[] {3, 2, 3}, r.toLongArray());
        assertEquals(DType.FLOAT32, BOOL.add(2.5).dtype());
        assertEquals(DType.BOOL, BOOL.add(Tensor.scalar(true)).dtype());
    }

    @Test
    void integerCategoriesAndZeroDimTensors() {
        assertEquals(DType.INT64, I32.add(I64).dtype());
        assertEquals(DType.INT32, I32.add(Tensor.scalarTensor(5, DType.INT64)).dtype(), "0-d of same category");
        assertEquals(DType.FLOAT64, I32.add(Tensor.scalarTensor(5, DType.FLOAT64)).dtype(),
                "a 0-d tensor of a higher category promotes with its own dtype");
        assertEquals(DType.INT32, I32.add(Tensor.scalar(7L)).dtype());
        assertEquals(DType.FLOAT64, Tensor.scalarTensor(1, DType.INT32).add(Tensor.scalarTensor(1, DType.FLOAT64))
                .dtype());
    }

    @Test
    void trueDivisionOfIntegersIsFloat32AndRoundingModesKeepIntegers() {
        Tensor r = I64.div(Tensor.ofLongs(new long[] {2, 4, 2}));
        assertEquals(DType.FLOAT32, r.dtype());
        assertArrayEquals(new float[] {0.5f, -0.5f, 1.5f}, r.toFloatArray());
        assertEquals(DType.INT64, I64.div(Tensor.ofLongs(new long[] {2, 4, 2}), "floor").dtype());
        assertEquals(DType.INT32, I32.div(Tensor.ofInts(new int[] {2, 4, 2}), "trunc").dtype());
        assertEquals(DType.FLOAT64, F64.div(I32).dtype());
    }

    @Test
    void comparisonsPromoteThenReturnBool() {
        Tensor r = I32.lt(F32);
        assertEquals(DType.BOOL, r.dtype());
        assertArrayEquals(new boolean[] {true, false, false}, r.toBoolArray());
        assertArrayEquals(new boolean[] {true, false, true}, BOOL.eq(Tensor.scalar(1L)).toBoolArray());
    }

    @Test
    void powAndMaximumPromote() {
        assertEquals(DType.FLOAT32, I64.pow(0.5).dtype());
        assertEquals(DType.INT64, I64.pow(Tensor.scalar(2L)).dtype());
        assertArrayEquals(new long[] {1, 4, 9}, I64.pow(Tensor.scalar(2L)).toLongArray());
        assertEquals(DType.FLOAT32, I32.maximum(F32).dtype());
        assertArrayEquals(new float[] {1.5f, -2f, 3f}, I32.maximum(F32).toFloatArray());
    }
}
