package dev.kiln.codegen.jvm;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.text.IrParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A direct convolution with an odd reduction length ({@code mynet}'s 1 input channel × 3 × 3 = 9) keeps the Vector
 * API form after the warm-up: the {@link dev.kiln.codegen.jvm.vector.AnchorWarmup} probe runs an even and an odd
 * {@code K}, so C2 compiles the blocks' last single reduction step. When the probe ran even lengths only, C2 left
 * that step as an uncommon trap; the first odd-{@code K} call deoptimised the blocks, two slow calls closed the
 * {@code DIRECT_CONV} gate and it warmed again. The test reads the trap from the child JVM's compilation log (it
 * fails on the old probe, which left one in {@code block5} and one in {@code block6}).
 *
 * <p>Other tests hold and open gates by hand, so the scenario runs in a child JVM of its own ({@link #main}); ~3 s.
 */
class OddReductionConvAfterWarmupTest {
    /** Exit status of {@link #main} when the gate never opened. */
    static final int NOT_WARM = 3;

    private static final String CONV = """
            graph(%x : f32[B, 1, 28, 28]):
              %w : f32[16, 1, 3, 3] = param["w"]
              %b : f32[16] = param["b"]
              %1 : f32[B, 16, 26, 26] = aten::conv2d(%x, %w, %b, stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1)
              return (%1)
            """;

    @Test
    void anOddReductionLengthDoesNotCloseTheDirectConvGate(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("compilation.log");
        ChildJvm.assertRunsCleanly(OddReductionConvAfterWarmupTest.class, dir,
                NOT_WARM + ": the DIRECT_CONV gate never opened", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+LogCompilation", "-XX:LogFile=" + log);
        // The deoptimisation itself, from the JIT's log: unlike a demotion (which a preempted call on a loaded
        // machine can also cause), it does not depend on timing.
        Matcher trap = Pattern.compile("<uncommon_trap thread='\\d+' reason='(\\w+)'[^>]*>\\s*"
                + "<jvms bci='(\\d+)' method='([^']*DirectConv block[^']*)'").matcher(Files.readString(log));
        if (trap.find()) {
            throw new AssertionError("a DirectConv block hit an uncommon trap after the warm-up (" + trap.group(1)
                    + " at bytecode " + trap.group(2) + " of " + trap.group(3) + ")");
        }
    }

    /** The child JVM: warm the conv anchor and call it 300 times; exit {@link #NOT_WARM} if it never warmed. */
    public static void main(String[] args) {
        Map<String, Tensor> consts = Map.of("w", Tensor.wrap(VectorBlockAfterAnchorTest.data(16 * 9, 0.5), 16, 1, 3, 3),
                "b", Tensor.wrap(VectorBlockAfterAnchorTest.data(16, 0.1), 16));
        CompiledModule m = JvmCompiler.compile(IrParser.parse(CONV), consts, CompileOptions.defaults());
        Tensor x = Tensor.wrap(VectorBlockAfterAnchorTest.data(4 * 28 * 28, 1.0), 4, 1, 28, 28);
        m.forward(x);
        boolean warm = m.awaitWarm(Duration.ofSeconds(60));
        long before = AnchorGate.DIRECT_CONV.demotions();
        for (int i = 0; i < 300; i++) m.forward(x);
        long demotions = AnchorGate.DIRECT_CONV.demotions() - before;
        System.out.printf("warm=%s, DIRECT_CONV demotions after the warm-up: %d%n", warm, demotions);
        System.exit(warm ? 0 : NOT_WARM);
    }
}
