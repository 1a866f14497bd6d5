package dev.kiln.codegen.jvm;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrParser;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large vector block gets fast C2 code even when a GEMM anchor model was compiled and run first in the same JVM
 * (docs/codegen-jvm.md, "The order of Vector API warm-ups"). Without
 * {@link dev.kiln.codegen.jvm.vector.VectorProfilePrimer} the anchor's warm-up and its ReLU epilogue leave the JDK's
 * shared Vector API profiles seeing one operator class, C2's code of the chain's block fails the
 * {@code VectorSupport.store} intrinsic (boxed vectors, ~10x slower) and the block's warm-up gives up after 10 s:
 * this test then fails (checked on the code before the primer).
 *
 * <p>What ran before decides the outcome, and other tests run Vector API code, so the scenario runs in a child JVM
 * of its own ({@link #main}, this JVM's class path); ~3 s.
 */
class VectorBlockAfterAnchorTest {
    /** {@code mlp}'s first layer, smaller: a linear anchor with a ReLU epilogue (its own vector block). */
    static final String LINEAR_RELU = """
            graph(%x : f32[B, 96]):
              %w : f32[64, 96] = param["w"]
              %b : f32[64] = param["b"]
              %1 : f32[B, 64] = kiln::fused_epilogue(%x, %w, %b)
                block(%2 : f32[B, 96], %3 : f32[64, 96], %4 : f32[64]):
                  %5 : f32[B, 64] = aten::linear(%2, %3, %4)
                  %6 : f32[B, 64] = aten::relu(%5)
                  return (%6)
              return (%1)
            """;

    /** {@code elementwise_chain} as the inference pipeline fuses it: one vector block of 1,766 bytecodes. */
    static final String CHAIN = """
            graph(%x : f32[B, 4096]):
              %1 : f32[B, 4096] = kiln::fused(%x)
                block(%23 : f32[B, 4096]):
                  %24 : f64[]{wrapped} = const(1.5)
                  %25 : f32[B, 4096] = aten::mul(%23, %24)
                  %26 : f64[]{wrapped} = const(0.25)
                  %27 : f32[B, 4096] = aten::add(%25, %26)
                  %28 : f32[B, 4096] = aten::sigmoid(%27)
                  %29 : f32[B, 4096] = aten::tanh(%23)
                  %30 : f32[B, 4096] = aten::mul(%28, %29)
                  %31 : f32[B, 4096] = aten::neg(%23)
                  %32 : f32[B, 4096] = aten::mul(%31, %23)
                  %33 : f32[B, 4096] = aten::exp(%32)
                  %34 : f64[]{wrapped} = const(0.5)
                  %35 : f32[B, 4096] = aten::mul(%33, %34)
                  %36 : f32[B, 4096] = aten::sub(%30, %35)
                  %37 : f32[B, 4096] = aten::clamp(%23, min=-1.0, max=1.0)
                  %38 : f32[B, 4096] = aten::add(%36, %37)
                  %39 : f32[B, 4096] = aten::gelu(%23)
                  %40 : f32[B, 4096] = aten::add(%38, %39)
                  %41 : f32[B, 4096] = aten::mul(%23, %23)
                  %42 : f32[B, 4096] = aten::abs(%23)
                  %43 : f64[]{wrapped} = const(1.0)
                  %44 : f32[B, 4096] = aten::add(%42, %43)
                  %45 : f32[B, 4096] = aten::div(%41, %44)
                  %46 : f32[B, 4096] = aten::add(%40, %45)
                  return (%46)
              return (%1)
            """;

    /** Exit status of {@link #main} when the chain's vector block never became ready. */
    static final int NOT_WARM = 3;

    @Test
    void aLargeVectorBlockWarmsUpAfterAGemmAnchorModelRanInTheSameJvm(@TempDir Path dir) throws Exception {
        ChildJvm.assertRunsCleanly(VectorBlockAfterAnchorTest.class, dir,
                NOT_WARM + ": the chain's vector block never became ready after the anchor model ran");
    }

    static float[] data(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (Math.sin(i * 0.37 + 0.2) * scale);
        return a;
    }

    /** Compiles and runs {@code ir} on {@code in}, checks it against the interpreter, waits for its warm-up. */
    static boolean runAndWarm(String name, String ir, Map<String, Tensor> consts, Tensor in, Duration wait) {
        Graph g = IrParser.parse(ir);
        CompiledModule m = JvmCompiler.compile(g, consts, CompileOptions.defaults());
        List<Tensor> want = new Interpreter(IrParser.parse(ir), consts).run(in);
        long t0 = System.nanoTime();
        float[] got = m.forward(in).get(0).contiguous().storage().floats();
        boolean warm = m.awaitWarm(wait);
        float[] warmGot = m.forward(in).get(0).contiguous().storage().floats();
        float[] w = want.get(0).contiguous().storage().floats();
        for (int i = 0; i < w.length; i++) {
            float tol = 1e-4f * Math.max(1, Math.abs(w[i]));
            if (Math.abs(w[i] - got[i]) > tol || Math.abs(w[i] - warmGot[i]) > tol) {
                throw new AssertionError(name + " at " + i + ": want " + w[i] + ", got " + got[i] + " then " + warmGot[i]);
            }
        }
        System.out.printf("%s: warm=%s after %d ms%n", name, warm, (System.nanoTime() - t0) / 1_000_000);
        return warm;
    }

    /** The child JVM: the anchor model first, then the chain; exit status 0 when the chain's block got ready. */
    public static void main(String[] args) throws IOException {
        Map<String, Tensor> consts = Map.of("w", Tensor.wrap(data(64 * 96, 0.2), 64, 96), "b",
                Tensor.wrap(data(64, 1), 64));
        if (!runAndWarm("linear+relu", LINEAR_RELU, consts, Tensor.wrap(data(8 * 96, 2), 8, 96), Duration.ofSeconds(60))) {
            System.out.println("the anchor model itself did not warm up: no verdict on the order");
            System.exit(2);
        }
        boolean warm = runAndWarm("chain", CHAIN, Map.of(), Tensor.wrap(data(16 * 4096, 3), 16, 4096),
                Duration.ofSeconds(60));
        System.exit(warm ? 0 : NOT_WARM);
    }
}
