package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The eager kernel table covers the whole op catalogue: no op is left without a CPU implementation. */
class KernelRegistryTest {
    @Test
    void everyOpHasAnEagerKernel() {
        List<Op> missing = new ArrayList<>();
        for (Op op : Op.values()) {
            if (!KernelRegistry.table().containsKey(op)) missing.add(op);
        }
        assertTrue(missing.isEmpty(), "ops without an eager kernel: " + missing);
        assertEquals(Op.values().length, KernelRegistry.table().size());
    }
}
