package dev.kiln.eager.kernels;

import static dev.kiln.eager.kernels.TestTensors.assertFails;
import static dev.kiln.eager.kernels.TestTensors.assertFreshContiguous;
import static dev.kiln.eager.kernels.TestTensors.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Generator;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** rand and randn: reproducible from the seed, with the right distribution (loose statistical bounds). */
class RandomKernelsTest {
    private static final int N = 100_000;

    private static Tensor draw(Op op, DType dtype, Long seed, long... size) {
        return Dispatcher.call1(op, Attrs.of(op).set("size", size).set("dtype", dtype).set("seed", seed).build());
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    private static double variance(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return s / (v.length - 1);
    }

    @Test
    void sameSeedSameTensor() {
        for (Op op : new Op[] {Op.RAND, Op.RANDN}) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor a = draw(op, dtype, 42L, 3, 50);
                Tensor b = draw(op, dtype, 42L, 3, 50);
                Tensor c = draw(op, dtype, 43L, 3, 50);
                assertEquals(dtype, a.dtype());
                assertArrayEquals(new int[] {3, 50}, a.intShape());
                assertFreshContiguous(a);
                assertArrayEquals(values(a), values(b), op + " " + dtype);
                assertFalse(Arrays.equals(values(a), values(c)), op + " " + dtype + " ignores the seed");
            }
        }
        Tensor r = Tensor.rand(new Generator(7), 10);
        Tensor s = Tensor.rand(new Generator(7), 10);
        assertArrayEquals(values(r), values(s));
    }

    @Test
    void withoutASeedTheGlobalGeneratorAdvances() {
        Tensor a = draw(Op.RAND, DType.FLOAT64, null, 20);
        Tensor b = draw(Op.RAND, DType.FLOAT64, null, 20);
        assertFalse(Arrays.equals(values(a), values(b)));
        assertFalse(Arrays.equals(values(Tensor.randn(20)), values(Tensor.randn(20))));
    }

    @Test
    void uniformIsInUnitIntervalWithRightMoments() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double[] v = values(draw(Op.RAND, dtype, 2024L, N));
            for (double x : v) assertTrue(x >= 0 && x < 1, "out of [0, 1): " + x);
            assertEquals(0.5, mean(v), 0.01, dtype + " mean");
            assertEquals(1.0 / 12, variance(v), 0.005, dtype + " variance");
        }
        // float32 uniforms are multiples of 2^-24, so none rounds up to 1.
        for (double x : values(draw(Op.RAND, DType.FLOAT32, 5L, 1000))) assertEquals(0, (x * 0x1p24) % 1.0);
    }

    @Test
    void normalHasRightMomentsAndMass() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double[] v = values(draw(Op.RANDN, dtype, 99L, N));
            assertEquals(0.0, mean(v), 0.02, dtype + " mean");
            assertEquals(1.0, variance(v), 0.03, dtype + " variance");
            int within = 0;
            for (double x : v) if (Math.abs(x) < 1) within++;
            assertEquals(0.6827, within / (double) N, 0.01, dtype + " mass within one sigma");
        }
    }

    @Test
    void shapesAndErrors() {
        Tensor scalar = draw(Op.RANDN, DType.FLOAT64, 1L);
        assertEquals(0, scalar.dim());
        assertEquals(1, scalar.numel());
        assertArrayEquals(new int[] {0, 4}, draw(Op.RAND, DType.FLOAT32, 1L, 0, 4).intShape());
        assertFails(() -> draw(Op.RAND, DType.INT64, 1L, 3), "aten::rand", "'dtype'", "floating", "found int64");
        assertFails(() -> draw(Op.RANDN, DType.BOOL, 1L, 3), "aten::randn", "'dtype'", "found bool");
        assertFails(() -> draw(Op.RANDN, DType.FLOAT32, 1L, 2, -2), "aten::randn", "'size'", "found dimension -2");
    }
}
