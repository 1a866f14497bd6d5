package dev.kiln.passes.kernel;

/**
 * Fusion groups written as IR text, shared by the kernel-lowering tests here and by the PTX renderer's tests
 * (codegen-ptx depends on this module's test jar): every elementwise attribute op, floor division by an
 * {@code i64} operand, layer norm with a mean of its tanh as a second, reduced output, softmax over a middle axis
 * after a broadcast mask, log-softmax whose absolute values are summed (three nested reduction depths), and a
 * linear epilogue.
 */
public final class KernelFixtures {
    private KernelFixtures() {}

    public static final String ELEMENTWISE = """
            graph(%x : f32[B, 6], %b : f32[6], %m : bool[B, 1], %i : i64[6]):
              %y : f32[B, 6] = kiln::fused(%x, %b, %m, %i)
                block(%p : f32[B, 6], %q : f32[6], %r : bool[B, 1], %s : i64[6]):
                  %c : f32[6] = const([0.5, -1.0, 2.0, 0.0, 3.0, -0.25])
                  %k : f64[]{wrapped} = const(1.5)
                  %1 : f32[B, 6] = aten::mul(%p, %k)
                  %2 : f32[B, 6] = aten::add(%1, %q, alpha=2)
                  %3 : f32[B, 6] = aten::gelu(%2)
                  %4 : f32[B, 6] = aten::sub(%3, %c)
                  %5 : f32[B, 6] = aten::div(%4, %s, rounding_mode="floor")
                  %6 : f32[B, 6] = aten::clamp(%5, min=-2.0, max=2.0)
                  %7 : f32[B, 6] = aten::where(%r, %6, %p)
                  %8 : bool[B, 6] = aten::gt(%7, %k)
                  %9 : f32[B, 6] = aten::masked_fill(%7, %8, %k)
                  %10 : f32[B, 6] = aten::leaky_relu(%9, negative_slope=0.2)
                  %11 : f32[B, 6] = aten::softplus(%10, beta=2.0, threshold=1.0)
                  %12 : f32[B, 6] = aten::elu(%11, alpha=0.5)
                  %13 : f32[B, 6] = aten::sigmoid(%12)
                  %14 : f32[B, 6] = aten::gelu(%13, approximate="tanh")
                  %15 : f32[B, 6] = aten::pow(%14, %k)
                  %16 : f32[B, 6] = aten::silu(%15)
                  return (%16)
              return (%y)
            """;

    public static final String REDUCTIONS = """
            graph(%x : f32[B, 3, 5], %w : f32[5], %v : f32[5]):
              %y, %z : f32[B, 3, 5], f32[B, 3] = kiln::fused(%x, %w, %v)
                block(%p : f32[B, 3, 5], %q : f32[5], %r : f32[5]):
                  %k : f64[]{wrapped} = const(0.5)
                  %1 : f32[B, 3, 5] = aten::mul(%p, %k)
                  %2 : f32[B, 3, 5] = aten::layer_norm(%1, %q, %r, normalized_shape=[5])
                  %3 : f32[B, 3, 5] = aten::tanh(%2)
                  %4 : f32[B, 3] = aten::mean(%3, dim=[-1])
                  return (%3, %4)
              return (%y, %z)
            """;

    public static final String SOFTMAXES = """
            graph(%x : f32[B, 4, 3], %m : bool[4, 3]):
              %y : f32[B, 4, 3] = kiln::fused(%x, %m)
                block(%p : f32[B, 4, 3], %q : bool[4, 3]):
                  %k : f64[]{wrapped} = const(-Infinity)
                  %1 : f32[B, 4, 3] = aten::masked_fill(%p, %q, %k)
                  %2 : f32[B, 4, 3] = aten::softmax(%1, dim=1)
                  %3 : f32[B, 4, 3] = aten::exp(%2)
                  return (%3)
              %z : f32[B, 4] = kiln::fused(%x)
                block(%a : f32[B, 4, 3]):
                  %4 : f32[B, 4, 3] = aten::log_softmax(%a, dim=2)
                  %5 : f32[B, 4, 3] = aten::abs(%4)
                  %6 : f32[B, 4] = aten::sum(%5, dim=[2])
                  return (%6)
              return (%y, %z)
            """;

    public static final String EPILOGUE = """
            graph(%x : f32[B, 4], %r : f32[B, 3]):
              %y : f32[B, 3] = kiln::fused_epilogue(%x, %r)
                block(%p : f32[B, 4], %q : f32[B, 3]):
                  %w : f32[3, 4] = const([1.0, 2.0, 3.0, 4.0, -1.0, 0.5, 0.0, 2.0, 1.0, 1.0, 1.0, 1.0])
                  %b : f32[3] = const([0.5, -0.5, 0.0])
                  %1 : f32[B, 3] = aten::linear(%p, %w, %b)
                  %2 : f32[B, 3] = aten::add(%1, %q)
                  %3 : f32[B, 3] = aten::relu(%2)
                  return (%3)
              return (%y)
            """;
}
