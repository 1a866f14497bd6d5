package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.alu.ScalarOp;

/**
 * A batched matrix product {@code C[z] = act(A[z] · B[z] + bias)} over row-major {@code f32} matrices.
 *
 * <p>{@code A} is {@code [M, K]}; {@code B} is {@code [K, N]}, or {@code [N, K]} when {@code bTransposed} (the
 * layout of a linear layer's weight, {@code x W^T}); {@code C} is {@code [M, N]}; {@code bias} is {@code [N]}.
 * Kernel parameters, in order: {@code a, b, c, [bias], M, N, K} ({@code .u32}),
 * {@code strideA, strideB, strideC} ({@code .u64}, elements between consecutive batch items; 0 broadcasts one
 * matrix over the batch). Sizes are run-time parameters, so one kernel serves every shape; bounds are checked
 * per element. {@link Precision#FP32} is exact {@code f32} FMA arithmetic; {@link Precision#TF32} rounds the
 * operands to TF32 (10-bit mantissa) and uses tensor-core {@code mma.sync}, and must be asked for explicitly.
 */
public record GemmSpec(String name, Precision precision, boolean bTransposed, boolean hasBias, ScalarOp activation) {

    public enum Precision { FP32, TF32 }

    public GemmSpec {
        if (activation != null && activation.arity() != 1) {
            throw new IllegalArgumentException("gemm kernel " + name + ": activation: expected a unary scalar op, found " + activation);
        }
    }

    /** Block tile: rows and columns of C per thread block. */
    public static final int TILE = 128;
    /** Threads per block. */
    public static final int THREADS = 256;
}
