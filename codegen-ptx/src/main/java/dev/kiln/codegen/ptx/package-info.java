/**
 * Kiln's GPU backend: kernels written as PTX text and run through JCuda's driver API (see docs/gpu.md).
 *
 * <p>{@code asm}: the PTX builder; {@code alu}: the scalar op-to-instruction table; {@code kernels}: generators for
 * fused elementwise kernels, row reductions and the tiled GEMM; {@code cuda}: device probe, executor and benchmark.
 * Nothing here needs a GPU except launching kernels; {@link dev.kiln.codegen.ptx.Ptxas} checks generated text offline.
 */
package dev.kiln.codegen.ptx;
