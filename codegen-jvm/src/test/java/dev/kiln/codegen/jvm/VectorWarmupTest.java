package dev.kiln.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;

/**
 * {@link VectorWarmup} with the real warm-up thread and C2: a warmed vector block on shapes and data other than the
 * warm-up's, the guard taking a slow (not compiled) vector block back to its scalar block and the warm-up bringing
 * it back, and groups with the same code sharing one kernel and one warm-up. Values are checked against the
 * interpreter and, bit for bit, against the scalar block (LaneMath32) that runs before the warm-up.
 */
class VectorWarmupTest {
    private static final CompileOptions VECTOR = CompileOptions.defaults().withVerify(true)
            .withLoops(CompileOptions.Loops.VECTOR);

    /** Data-dependent branches in the scalar tail (where, LaneMath32.gelu / exp / tanh), a ROW and a SCALAR operand. */
    static final String BRANCHY = """
            graph(%x : f32[B, 13], %b : f32[13], %s : f32[]):
              %y : f32[B, 13] = kiln::fused(%x, %b, %s)
                block(%p : f32[B, 13], %q : f32[13], %t : f32[]):
                  %1 : f32[B, 13] = aten::mul(%p, %t)
                  %2 : f32[B, 13] = aten::add(%1, %q)
                  %3 : f32[B, 13] = aten::gelu(%2)
                  %4 : bool[B, 13] = aten::gt(%p, %q)
                  %5 : f32[B, 13] = aten::tanh(%p)
                  %6 : f32[B, 13] = aten::exp(%p)
                  %7 : f32[B, 13] = aten::where(%4, %5, %6)
                  %8 : f32[B, 13] = aten::sub(%3, %7)
                  return (%8)
              return (%y)
            """;

    static float[] data(int n, double scale, double phase) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (Math.sin(i * 0.61 + phase) * scale);
        return a;
    }

    static List<Tensor> inputs(int batch) {
        return List.of(Tensor.wrap(data(batch * 13, 4, 0.3), batch, 13), Tensor.wrap(data(13, 1, 1.1), 13),
                Tensor.wrap(new float[] {-1.5f}));
    }

    static void awaitTrue(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting until " + what);
            Thread.sleep(10);
        }
    }

    static void assertNear(List<Tensor> want, List<Tensor> got, String where) {
        float[] w = want.get(0).storage().floats();
        float[] g = got.get(0).storage().floats();
        assertEquals(w.length, g.length, where);
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], g[i], 1e-5 * Math.max(1, Math.abs(w[i])), where + " i=" + i);
        }
    }

    @Test
    void aWarmedVectorBlockIsRightOnShapesAndDataTheWarmUpNeverSaw() throws Exception {
        Graph g = IrParser.parse(BRANCHY);
        Interpreter interp = new Interpreter(IrParser.parse(BRANCHY), Map.of());
        int[] batches = {1, 2, 3, 5, 8, 40, 700}; // rows of 13 points: 1 vector + 5 tail points each; 700: 2 threads
        // The scalar block's results: a fresh module runs its first calls before its warm-up can finish.
        CompiledModule cold = JvmCompiler.compile(g, Map.of(), VECTOR);
        List<float[]> scalar = new ArrayList<>();
        for (int b : batches) scalar.add(cold.forward(inputs(b).toArray(Tensor[]::new)).get(0).storage().floats());

        CompiledModule warm = JvmCompiler.compile(g, Map.of(), VECTOR);
        warm.forward(inputs(1).toArray(Tensor[]::new)); // queues the warm-up
        VectorWarmup w = warm.vectorWarmups().get(0);
        awaitTrue(() -> w.ready() || w.gaveUp(), "the vector block is warmed up, or its warm-up gives up");
        // A warm-up gives up when C2's code of the block is not fast enough (docs/codegen-jvm.md, "Missing": seen
        // in this suite after other Vector API code ran). The block must give the right values whatever code the
        // JIT made of it, so it runs whole spans anyway.
        if (!w.ready()) w.markReady();
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < batches.length; k++) {
                Tensor[] in = inputs(batches[k]).toArray(Tensor[]::new);
                List<Tensor> got = warm.forward(in);
                assertNear(interp.run(in), got, "batch " + batches[k]);
                assertArrayEquals(scalar.get(k), got.get(0).storage().floats(),
                        "vector and scalar blocks differ at batch " + batches[k]);
            }
        }
    }

    @Test
    void theGuardTakesASlowVectorBlockBackToItsScalarBlockAndTheWarmUpBringsItBack() throws Exception {
        Graph g = IrParser.parse(BRANCHY);
        Interpreter interp = new Interpreter(IrParser.parse(BRANCHY), Map.of());
        CompiledModule m = JvmCompiler.compile(g, Map.of(), VECTOR);
        // Ready before C2 ever saw the block: whole spans run the interpreted Vector API (boxed), as after a
        // deoptimisation. 3000 rows = 39000 points, every call timed.
        m.markVectorLoopsReady();
        VectorWarmup w = m.vectorWarmups().get(0);
        Tensor[] in = inputs(3000).toArray(Tensor[]::new);
        List<Tensor> want = interp.run(in);
        for (int call = 0; call < 4 && w.ready(); call++) assertNear(want, m.forward(in), "boxed call " + call);
        assertFalse(w.ready(), "two slow calls in a row send the kernel back to its scalar block");
        assertEquals(1, w.demotions());
        assertNear(want, m.forward(in), "scalar block after the demotion"); // also queues the warm-up again
        awaitTrue(() -> w.ready() || w.gaveUp(), "the warm-up has the vector block compiled again, or gives up");
        // Ready again: compiled vector calls. Gave up (C2's code not fast enough, see above): the scalar block stays.
        for (int call = 0; call < 5; call++) assertNear(want, m.forward(in), "call " + call + " after the warm-up");
    }

    @Test
    void theGuardCountsOnlyCallsSlowerThanItsBound() {
        VectorWarmup w = new VectorWarmup();
        w.markReady();
        int points = 4096;
        long bound = w.slowNanos(points);
        assertTrue(bound >= 8 * points, "at least 8 ns per point: " + bound);
        for (int i = 0; i < 10; i++) {
            assertTrue(w.timeCall(points), "large calls are always timed");
            w.timed(points, bound); // at the bound: not slow
            w.timed(points, bound + 1); // one slow call alone: not demoted
        }
        assertTrue(w.ready());
        w.timed(points, bound + 1);
        assertFalse(w.ready(), "two slow calls in a row demote");
        assertFalse(w.timeCall(points), "nothing is timed while the scalar block runs");
        int timed = 0;
        w.markReady();
        for (int i = 0; i < 64; i++) if (w.timeCall(100)) timed++;
        assertEquals(64 / VectorWarmup.SMALL_CALL_PERIOD, timed, "one small call in SMALL_CALL_PERIOD is timed");
    }

    static final String SAME_CODE = """
            graph(%x : f32[B, 20], %y : f32[B, 20]):
              %a : f32[B, 20] = kiln::fused(%x)
                block(%p : f32[B, 20]):
                  %k : f64[]{wrapped} = const(2.0)
                  %1 : f32[B, 20] = aten::mul(%p, %k)
                  %2 : f32[B, 20] = aten::tanh(%1)
                  return (%2)
              %b : f32[B, 20] = aten::sin(%a)
              %c : f32[B, 20] = kiln::fused(%y)
                block(%q : f32[B, 20]):
                  %j : f64[]{wrapped} = const(2.0)
                  %3 : f32[B, 20] = aten::mul(%q, %j)
                  %4 : f32[B, 20] = aten::tanh(%3)
                  return (%4)
              %d : f32[B, 20] = kiln::fused(%b, %c)
                block(%r : f32[B, 20], %s : f32[B, 20]):
                  %k2 : f64[]{wrapped} = const(3.0)
                  %5 : f32[B, 20] = aten::mul(%r, %k2)
                  %6 : f32[B, 20] = aten::tanh(%5)
                  %7 : f32[B, 20] = aten::add(%6, %s)
                  return (%7)
              return (%a, %c, %d)
            """;

    @Test
    void groupsWithTheSameCodeShareOneKernelAndOneWarmUp() {
        for (CompileOptions.Loops loops : CompileOptions.Loops.values()) {
            if (loops == CompileOptions.Loops.AUTO) continue;
            CompiledModule m = JvmCompiler.compile(IrParser.parse(SAME_CODE), Map.of(), VECTOR.withLoops(loops));
            List<String> lowered = m.report().loweredGroups();
            assertTrue(lowered.get(0).contains("-> k0") && !lowered.get(0).contains("same code"), lowered.toString());
            assertTrue(lowered.get(1).contains("-> k0") && lowered.get(1).contains("same code"), lowered.toString());
            assertTrue(lowered.get(2).contains("-> k1") && !lowered.get(2).contains("same code"), lowered.toString());
            ClassNode cls = new ClassNode();
            new ClassReader(m.classBytes()).accept(cls, 0);
            List<String> names = cls.methods.stream().map(mn -> mn.name).toList();
            assertTrue(names.contains("k1") && !names.contains("k2"), names.toString());
            if (loops == CompileOptions.Loops.VECTOR) assertEquals(2, m.vectorWarmups().size());
            Tensor x = Tensor.wrap(data(60, 2, 0), 3, 20);
            Tensor y = Tensor.wrap(data(60, 3, 0.7), 3, 20);
            List<Tensor> got = m.forward(x, y);
            List<Tensor> want = new Interpreter(IrParser.parse(SAME_CODE), Map.of()).run(x, y);
            for (int o = 0; o < 3; o++) assertNear(List.of(want.get(o)), List.of(got.get(o)), loops + " output " + o);
        }
    }
}
