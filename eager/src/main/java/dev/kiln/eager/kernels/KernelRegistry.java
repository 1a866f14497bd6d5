package dev.kiln.eager.kernels;

import dev.kiln.eager.Kernel;
import dev.kiln.eager.KilnException;
import dev.kiln.ir.Op;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The table of eager CPU kernels, one per {@link Op}. Each kernel family registers its ops here; a test checks
 * that every op of the catalogue has a kernel.
 */
public final class KernelRegistry {
    private static final Map<Op, Kernel> KERNELS;

    static {
        EnumMap<Op, Kernel> table = new EnumMap<>(Op.class);
        ElementwiseKernels.register(table);
        ReductionKernels.register(table);
        LinalgKernels.register(table);
        NnKernels.register(table);
        ShapeKernels.register(table);
        FactoryKernels.register(table);
        KERNELS = Collections.unmodifiableMap(table);
    }

    private KernelRegistry() {}

    /** The kernel of {@code op}; throws naming the op when there is none. */
    public static Kernel kernel(Op op) {
        Kernel k = KERNELS.get(op);
        if (k == null) throw new KilnException(op + ": no eager CPU kernel is registered for this op");
        return k;
    }

    /** Every op that has a kernel (for the coverage test and for backends' fallback reports). */
    public static Map<Op, Kernel> table() { return KERNELS; }

    /** Registers {@code kernel} for {@code op}, refusing a second registration of the same op. */
    static void put(Map<Op, Kernel> table, Op op, Kernel kernel) {
        if (table.put(op, kernel) != null) {
            throw new IllegalStateException("two eager kernels registered for " + op);
        }
    }
}
