package dev.kiln.serialization;

import dev.kiln.ir.DType;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.text.SampleGraphs;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Sample graphs (from the ir tests' shapes of programs) and archives built around them. */
final class Samples {
    private Samples() {}

    /**
     * Nested kiln::cond blocks, inline constants of three dtypes, table constants of every dtype, a floordiv dim,
     * dtype and optional scalar attributes.
     */
    static final String CONTROL_FLOW = """
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
              %ci : i32[3, 7] = const(@ci)
              %cl : i64[20] = const(@cl)
              %cb : bool[5, 5] = const(@cb)
              %cd : f64[17] = const(@cd)
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

    static Map<String, TensorData> controlFlowConstants() {
        Random r = new Random(7);
        float[] w0 = new float[256];
        for (int i = 0; i < w0.length; i++) w0[i] = (float) r.nextGaussian();
        int[] ci = new int[21];
        for (int i = 0; i < ci.length; i++) ci[i] = r.nextInt();
        ci[0] = Integer.MIN_VALUE;
        long[] cl = new long[20];
        for (int i = 0; i < cl.length; i++) cl[i] = r.nextLong();
        cl[1] = Long.MAX_VALUE;
        boolean[] cb = new boolean[25];
        for (int i = 0; i < cb.length; i++) cb[i] = r.nextBoolean();
        double[] cd = {Double.NaN, -0.0, Double.MIN_VALUE, Double.POSITIVE_INFINITY, Math.PI, 1e300, -1e-300, 0, 1, 2,
            3, 4, 5, 6, 7, 8, 9};
        return Map.of("w0", TensorData.of(DType.FLOAT32, new long[] {64, 4}, w0),
                "ci", TensorData.of(DType.INT32, new long[] {3, 7}, ci),
                "cl", TensorData.of(DType.INT64, new long[] {20}, cl),
                "cb", TensorData.of(DType.BOOL, new long[] {5, 5}, cb),
                "cd", TensorData.of(DType.FLOAT64, new long[] {17}, cd));
    }

    static Graph myNet() { return IrParser.parse(SampleGraphs.MYNET); }

    static Graph attention() { return IrParser.parse(SampleGraphs.ATTENTION); }

    static Graph controlFlow() { return IrParser.parse(CONTROL_FLOW, controlFlowConstants()); }

    /** Random f32 data of {@code shape}, with special values at the front. */
    static TensorData floats(long... shape) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        float[] a = new float[n];
        Random r = new Random(n);
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        float[] special = {Float.NaN, -0.0f, Float.MIN_VALUE, Float.NEGATIVE_INFINITY, Float.MAX_VALUE};
        System.arraycopy(special, 0, a, 0, Math.min(n, special.length));
        return TensorData.of(DType.FLOAT32, shape, a);
    }

    /** The myNet archive with its four parameters plus buffers of every dtype (one of them large enough to map). */
    static KilnArchive myNetArchive() {
        Graph g = myNet();
        return KilnArchive.builder(g)
                .parameter("conv.weight", floats(16, 1, 3, 3))
                .parameter("conv.bias", floats(16))
                .parameter("fc.weight", floats(10, 2704))
                .parameter("fc.bias", floats(10))
                .parameter("buf.f64", TensorData.of(DType.FLOAT64, new long[] {2, 3},
                        new double[] {Double.NaN, -0.0, 1e-310, 1, -1, Double.MAX_VALUE}))
                .parameter("buf.i32", TensorData.of(DType.INT32, new long[] {4}, new int[] {0, -1, Integer.MAX_VALUE, 7}))
                .parameter("buf.i64", TensorData.of(DType.INT64, new long[] {}, new long[] {Long.MIN_VALUE}))
                .parameter("buf.bool", TensorData.of(DType.BOOL, new long[] {3}, new boolean[] {true, false, true}))
                .parameter("buf.empty", TensorData.of(DType.FLOAT32, new long[] {0, 3}, new float[0]))
                .parameter("buf.large", floats(600, 500))
                .signature(Signature.named(g, List.of("x"), List.of("logits", "argmax")))
                .metadata(new ArchiveMetadata("0.1.0-test", Instant.ofEpochMilli(1_700_000_000_123L), "dev.kiln.samples.MyNet",
                        Map.of("example_shape", "[1, 1, 28, 28]", "symbolic_batch", "true"),
                        Map.of("backend", "jvm", "passes", "fuse,dce")))
                .classFile("dev.kiln.gen.MyNet_0", new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61})
                .ptx("fused_relu_0", ".version 8.0\n.target sm_80\n")
                .extra("labels.txt", "zero\none\n")
                .extra("tokenizer/vocab.json", "{}")
                .build();
    }
}
