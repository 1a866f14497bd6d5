package dev.kiln.codegen.ptx.kir;

import dev.kiln.codegen.ptx.LaunchConfig;
import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.passes.kernel.Kernel;
import java.util.List;
import java.util.Map;

/**
 * A kernel IR {@link Kernel} rendered to PTX, valid for every binding of its symbolic sizes.
 *
 * <p>Kernel parameters, in order: one {@code .u64} pointer {@code in<k>} per operand the kernel reads (operand
 * indices in {@code operandParams}, ascending; operands only an epilogue's anchor reads get none), one {@code .u64}
 * pointer {@code out<s>} per store, then one {@code .u32} {@code dim<j>} per non-constant domain dim
 * ({@code sizeParams}, in domain order). Every buffer is a dense row-major tensor of its operand's or store's type.
 *
 * @param threads threads per block: 256 for elementwise kernels; for reductions the next power of two of a constant
 *                reduction extent (32 to 256), else 256
 * @param reduction whether this is a reduction kernel (one block per outer point, grid-strided)
 */
public record RenderedKernel(PtxKernel kernel, Kernel source, List<Integer> operandParams, List<SymExpr> sizeParams,
                             int threads, boolean reduction) {
    /** Upper bound on blocks; both loop kinds stride over the rest. */
    static final int MAX_BLOCKS = 65536;

    public RenderedKernel {
        operandParams = List.copyOf(operandParams);
        sizeParams = List.copyOf(sizeParams);
    }

    /** Number of kernel parameters: pointers for read operands and stores, then the symbolic sizes. */
    public int parameterCount() { return operandParams.size() + source.stores().size() + sizeParams.size(); }

    /** The values of the {@code dim<j>} parameters under {@code bindings}, checked to fit the 32-bit indexing. */
    public long[] sizeArguments(Map<String, Long> bindings) {
        long[] v = new long[sizeParams.size()];
        for (int i = 0; i < v.length; i++) v[i] = sizeParams.get(i).eval(bindings);
        checkIndexRange(bindings);
        return v;
    }

    /** The launch for {@code bindings}: a grid-stride over the elements, or one block per outer point. */
    public LaunchConfig launch(Map<String, Long> bindings) {
        checkIndexRange(bindings);
        List<SymExpr> domain = source.domain();
        long work = 1;
        for (int j = 0; j < domain.size(); j++) if (j != source.reductionAxis()) work *= domain.get(j).eval(bindings);
        long blocks = reduction ? work : (work + threads - 1) / threads;
        return LaunchConfig.linear(Math.min(MAX_BLOCKS, blocks), threads);
    }

    // Index arithmetic is unsigned 32-bit: refuse domains (hence every element offset) of 2^31 points or more.
    private void checkIndexRange(Map<String, Long> bindings) {
        long n = 1;
        for (SymExpr d : source.domain()) {
            long v = d.eval(bindings);
            if (v < 0) throw new IllegalArgumentException("kernel " + kernel.name() + ": dim " + d + " = " + v + " < 0");
            n = Math.multiplyHigh(n, v) != 0 ? Long.MAX_VALUE : n * v;
        }
        if (n >= 1L << 31) {
            throw new IllegalArgumentException("kernel " + kernel.name() + ": expected fewer than 2^31 points, found "
                    + n + " for " + source.domain() + " at " + bindings);
        }
    }
}
