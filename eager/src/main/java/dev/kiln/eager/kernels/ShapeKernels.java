package dev.kiln.eager.kernels;

import dev.kiln.eager.Kernel;
import dev.kiln.ir.Op;
import java.util.Map;

/**
 * Registers the shape and view family: views ({@link ViewKernels}, {@link SliceKernels}), joins
 * ({@link JoinKernels}) and triangles ({@link TriangularKernels}). Ops with the {@code VIEW} trait return views of
 * their input; {@code reshape} and {@code flatten} return a view when the strides allow one, else a copy; the rest
 * return fresh contiguous tensors.
 */
final class ShapeKernels {
    private ShapeKernels() {}

    static void register(Map<Op, Kernel> table) {
        KernelRegistry.put(table, Op.VIEW, Kernel.single(ViewKernels::view));
        KernelRegistry.put(table, Op.RESHAPE, Kernel.into(ViewKernels::reshape));
        KernelRegistry.put(table, Op.FLATTEN, Kernel.into(ViewKernels::flatten));
        KernelRegistry.put(table, Op.TRANSPOSE, Kernel.single(ViewKernels::transpose));
        KernelRegistry.put(table, Op.PERMUTE, Kernel.single(ViewKernels::permute));
        KernelRegistry.put(table, Op.EXPAND, Kernel.single(ViewKernels::expand));
        KernelRegistry.put(table, Op.SQUEEZE, Kernel.single(ViewKernels::squeeze));
        KernelRegistry.put(table, Op.UNSQUEEZE, Kernel.single(ViewKernels::unsqueeze));
        KernelRegistry.put(table, Op.SELECT, Kernel.single(SliceKernels::select));
        KernelRegistry.put(table, Op.SLICE, Kernel.single(SliceKernels::slice));
        KernelRegistry.put(table, Op.SPLIT, SliceKernels::split);
        KernelRegistry.put(table, Op.CHUNK, SliceKernels::chunk);
        KernelRegistry.put(table, Op.CAT, Kernel.into(JoinKernels::cat));
        KernelRegistry.put(table, Op.STACK, Kernel.into(JoinKernels::stack));
        KernelRegistry.put(table, Op.TRIU, Kernel.single(TriangularKernels::triu));
        KernelRegistry.put(table, Op.TRIL, Kernel.single(TriangularKernels::tril));
    }
}
