package dev.kiln.ir.text;

/**
 * Realistic graphs as canonical IR text, shared by the IR's round-trip tests and by other modules' tests (the
 * archive's round trip uses them through this module's test jar).
 */
public final class SampleGraphs {
    private SampleGraphs() {}

    public static final String MLP = """
            graph(%x : f32[B, 784]):
              %fc1.weight : f32[128, 784] = param["fc1.weight"]
              %fc1.bias : f32[128] = param["fc1.bias"]
              %fc2.weight : f32[10, 128] = param["fc2.weight"]
              %fc2.bias : f32[10] = param["fc2.bias"]
              %1 : f32[B, 128] = aten::linear(%x, %fc1.weight, %fc1.bias)   # fc1 @ Mlp.java:21
              %2 : f32[B, 128] = aten::relu(%1)   # @ Mlp.java:22
              %3 : f32[B, 10] = aten::linear(%2, %fc2.weight, %fc2.bias)   # fc2 @ Mlp.java:23
              %4 : f32[B, 10] = aten::log_softmax(%3, dim=1)
              return (%4)
            """;

    public static final String MYNET = """
            graph(%x : f32[B, 1, 28, 28]):
              %conv.weight : f32[16, 1, 3, 3] = param["conv.weight"]
              %conv.bias : f32[16] = param["conv.bias"]
              %fc.weight : f32[10, 2704] = param["fc.weight"]
              %fc.bias : f32[10] = param["fc.bias"]
              %1 : f32[B, 16, 26, 26] = aten::conv2d(%x, %conv.weight, %conv.bias)   # conv
              %2 : f32[B, 16, 26, 26] = aten::relu(%1)
              %3 : f32[B, 16, 13, 13] = aten::max_pool2d(%2, kernel_size=[2, 2])   # pool
              %4 : f32[B, 2704] = aten::flatten(%3, start_dim=1)
              %5 : f32[B, 10] = aten::linear(%4, %fc.weight, %fc.bias)   # fc @ MyNet.java:30
              %6, %7 : f32[B], i64[B] = aten::max.dim(%5, dim=1)
              %n : int(B) = aten::size(%x, dim=0)
              %8 : f64[]{wrapped} = const(0.5)
              %9 : f32[B, 10] = aten::mul(%5, %8)
              return (%9, %7)
            """;

    public static final String ATTENTION = """
            graph(%x : f32[B, 8, 64], %mask : bool[8, 8]):
              %attn.qkv.weight : f32[192, 64] = param["attn.qkv.weight"]
              %attn.qkv.bias : f32[192] = param["attn.qkv.bias"]
              %attn.proj.weight : f32[64, 64] = param["attn.proj.weight"]
              %1 : f32[B, 8, 192] = aten::linear(%x, %attn.qkv.weight, %attn.qkv.bias)   # attn.qkv @ Attention.java:40
              %q, %k, %v : f32[B, 8, 64], f32[B, 8, 64], f32[B, 8, 64] = aten::split(%1, split_size=64, dim=2)
              %2 : f32[B, 8, 4, 16] = aten::view(%q, size=[-1, 8, 4, 16])
              %3 : f32[B, 4, 8, 16] = aten::transpose(%2, dim0=1, dim1=2)
              %4 : f32[B, 8, 4, 16] = aten::view(%k, size=[-1, 8, 4, 16])
              %5 : f32[B, 4, 16, 8] = aten::permute(%4, dims=[0, 2, 3, 1])
              %6 : f32[B, 8, 4, 16] = aten::view(%v, size=[-1, 8, 4, 16])
              %7 : f32[B, 4, 8, 16] = aten::transpose(%6, dim0=1, dim1=2)
              %8 : f32[B, 4, 8, 8] = aten::matmul(%3, %5)   # attn @ Attention.java:44
              %9 : f64[]{wrapped} = const(0.25)
              %10 : f32[B, 4, 8, 8] = aten::mul(%8, %9)
              %11 : f32[] = const(-Infinity)
              %12 : f32[B, 4, 8, 8] = aten::masked_fill(%10, %mask, %11)
              %13 : f32[B, 4, 8, 8] = aten::softmax(%12, dim=-1)
              %14 : f32[B, 4, 8, 8] = aten::dropout(%13, p=0.1)
              %15 : f32[B, 4, 8, 16] = aten::matmul(%14, %7)
              %16 : f32[B, 8, 4, 16] = aten::transpose(%15, dim0=1, dim1=2)
              %17 : f32[B, 8, 64] = aten::reshape(%16, shape=[-1, 8, 64])
              %18 : f32[B, 8, 64] = aten::linear(%17, %attn.proj.weight, None)   # attn.proj
              %19 : f32[B, 8, 64] = aten::add(%x, %18, alpha=2)
              %20 : f32[B, 8, 64] = aten::layer_norm(%19, None, None, normalized_shape=[64], eps=1.0E-6)
              %21 : f32[B, 8, 64] = aten::gelu(%20, approximate="tanh")
              return (%21)
            """;

    public static final String CONTROL_FLOW_AND_CONSTANTS = """
            graph(%x : f32[B, 4], %flag : bool[]):
              %1 : f32[B, 4] = kiln::cond(%flag, %x)   # head @ Head.java:7
                block(%a : f32[B, 4]):
                  %2 : f32[B, 4] = aten::relu(%a)
                  return (%2)
                block(%b : f32[B, 4]):
                  %3 : f32[B, 4] = aten::neg(%b)
                  %4 : f32[B, 4] = kiln::cond(%flag, %3)
                    block(%c : f32[B, 4]):
                      return (%c)
                    block(%d : f32[B, 4]):
                      %5 : f32[B, 4] = aten::add(%d, %x)
                      return (%5)
                  return (%4)
              %w : f32[4] = const([1.0, 2.5, -0.5, 1.0E-7])
              %i : i64[2, 2] = const([1, 2, 3, -4])
              %t : bool[2] = const([true, false])
              %big : f32[64, 4] = const(@w0)
              %6 : f32[B, 4] = aten::mul(%1, %w)
              %7 : f32[B, 8] = aten::cat([%x, %6], dim=1)
              %8 : f32[B, 64] = aten::linear(%1, %big, None)
              %9 : f32[B, 4] = aten::clamp(%6, min=0, max=6.0)
              %10 : f32[B, 4] = aten::where(%flag, %9, %x)
              %11 : i64[5] = aten::arange(end=5)
              %12 : f32[B, 4] = aten::to(%10, dtype=f32)
              %13 : f32[B, 2, 2] = aten::reshape(%12, shape=[-1, 2, 2])
              %14 : f32[floordiv(B+1, 2), 4] = aten::slice(%12, step=2)
              return (%7, %8, %13, %14)
            """;
}
