package dev.kiln.eager.kernels;

import dev.kiln.eager.Kernel;
import dev.kiln.ir.Op;
import java.util.Map;

/** Eager kernels of one op family. */
final class FactoryKernels {
    private FactoryKernels() {}

    static void register(Map<Op, Kernel> table) {
    }
}
