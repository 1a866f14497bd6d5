package dev.kiln.codegen.ptx.gpu;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.codegen.ptx.cuda.CudaAvailability;
import org.junit.jupiter.api.Test;

/** Runs everywhere: the probe must answer, once, with a readable reason, whether or not a GPU is present. */
class CudaAvailabilityTest {
    @Test
    void probeAnswersOnceWithAReadableStatus() {
        CudaAvailability.Status first = CudaAvailability.check();
        assertSame(first, CudaAvailability.check(), "the probe runs once");
        String d = first.describe();
        if (first.available()) {
            assertTrue(d.startsWith("CUDA device: ") && first.computeCapability() >= 80, d);
        } else {
            assertTrue(d.startsWith("no CUDA device: ") && d.length() > "no CUDA device: ".length(), d);
        }
    }
}
