package dev.kiln.eager.kernels;

import dev.kiln.eager.Kernel;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Shapes;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.TypePromotion;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.OpTrait;
import java.util.Map;

/**
 * Eager kernels of every {@link OpTrait#ELEMENTWISE} op. Binary ops live in {@link BinaryOps}, unary ones in
 * {@link UnaryOps}; the selection ops ({@code where}, {@code masked_fill}) and copies ({@code to}, {@code clone})
 * are here. Execution engines: {@link Float32Kernels} (hot float32 loops), {@link ElementwiseEngine} (any dtype),
 * {@link Select}.
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {}

    static void register(Map<Op, Kernel> table) {
        BinaryOps.register(table);
        UnaryOps.register(table);
        KernelRegistry.put(table, Op.WHERE, Kernel.single((in, at) -> where(in[0], in[1], in[2])));
        KernelRegistry.put(table, Op.MASKED_FILL, Kernel.single((in, at) -> maskedFill(in[0], in[1], in[2])));
        KernelRegistry.put(table, Op.TO_DTYPE, Kernel.single((in, at) ->
                ElementwiseEngine.cast(in[0], at.getDType("dtype"))));
        KernelRegistry.put(table, Op.CLONE, Kernel.single((in, at) -> ElementwiseEngine.cast(in[0], in[0].dtype())));
    }

    /** {@code condition ? self : other}; the result dtype is result_type(self, other). */
    static Tensor where(Tensor condition, Tensor self, Tensor other) {
        requireBool(Op.WHERE, "condition", condition);
        DType type = TypePromotion.resultType(self, other);
        int[] shape = Shapes.broadcast(Shapes.broadcast(condition.intShape(), self.intShape(), Op.WHERE),
                other.intShape(), Op.WHERE);
        return Select.select(condition, ElementwiseEngine.castIfNeeded(self, type),
                ElementwiseEngine.castIfNeeded(other, type), shape);
    }

    /**
     * {@code self} with {@code value} where {@code mask} is true. As ATen's out-of-place {@code masked_fill},
     * self and mask broadcast together (a mask broadcastable to self keeps self's shape); the dtype is self's
     * and the 0-d value is converted to it.
     */
    static Tensor maskedFill(Tensor self, Tensor mask, Tensor value) {
        requireBool(Op.MASKED_FILL, "mask", mask);
        if (value.dim() != 0) {
            throw new KilnException(Op.MASKED_FILL + ": argument 'value' expected a 0-d tensor, found a "
                    + value.dim() + "-d tensor");
        }
        int[] shape = Shapes.broadcast(self.intShape(), mask.intShape(), Op.MASKED_FILL);
        Tensor v = ElementwiseEngine.castIfNeeded(value, self.dtype());
        return Select.select(mask, v, self, shape);
    }

    private static void requireBool(Op op, String arg, Tensor t) {
        if (t.dtype() != DType.BOOL) {
            throw new KilnException(op + ": argument '" + arg + "' expected a bool tensor, found " + t.dtype());
        }
    }
}
