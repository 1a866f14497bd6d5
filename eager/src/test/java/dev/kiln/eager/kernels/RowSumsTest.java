package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link RowSums} against exact sums (BigDecimal) for every remainder mod 4 and at an offset. */
class RowSumsTest {
    @Test
    void sumsMatchExactArithmeticForEveryLengthAndOffset() {
        Random rnd = new Random(5);
        for (int d : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 63, 64, 65, 67, 1000}) {
            int base = 3;
            float[] x = new float[base + d + 2];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 10 + 5);
            BigDecimal exact = BigDecimal.ZERO;
            for (int i = 0; i < d; i++) exact = exact.add(new BigDecimal(x[base + i]));
            double sum = RowSums.sum(x, base, d);
            assertEquals(exact.doubleValue(), sum, 1e-12 * Math.max(1, Math.abs(exact.doubleValue())), "sum, d=" + d);
            double mean = d == 0 ? 0 : sum / d;
            BigDecimal sq = BigDecimal.ZERO;
            BigDecimal m = new BigDecimal(mean);
            for (int i = 0; i < d; i++) {
                BigDecimal dv = new BigDecimal(x[base + i]).subtract(m);
                sq = sq.add(dv.multiply(dv));
            }
            assertEquals(sq.doubleValue(), RowSums.squaredDeviations(x, base, d, mean),
                    1e-12 * Math.max(1, sq.doubleValue()), "squared deviations, d=" + d);
        }
    }
}
