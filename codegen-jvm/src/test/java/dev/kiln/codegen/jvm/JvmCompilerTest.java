package dev.kiln.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Parallel;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.DType;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.text.IrParser;
import dev.kiln.passes.kernel.Expr;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * The compiler on small hand-written optimised graphs, each output checked against a float64 reference computed
 * here with plain loops: flat loops, chunked loops with row broadcasting, bool masks and FastMath32 calls,
 * non-contiguous inputs, groups that fall back, verification and dumps, threads, the memory plan and errors.
 * Loop tests run twice: with the Vector API loops ({@link CompileOptions.Loops#VECTOR}; surefire starts the JVM
 * with {@code --add-modules jdk.incubator.vector}) and with the scalar/chunked loops that JVMs without the module
 * get ({@link CompileOptions.Loops#SCALAR}).
 */
class JvmCompilerTest {
    private static final CompileOptions CHECKED = CompileOptions.defaults().withVerify(true);

    static final String FLAT = """
            graph(%x : f32[B, 3], %y : f32[B, 3]):
              %r : f32[B, 3] = kiln::fused(%x, %y)
                block(%p : f32[B, 3], %q : f32[B, 3]):
                  %k : f64[]{wrapped} = const(1.5)
                  %1 : f32[B, 3] = aten::mul(%p, %k)
                  %2 : f32[B, 3] = aten::add(%1, %q)
                  %3 : f32[B, 3] = aten::relu(%2)
                  %4 : f32[B, 3] = aten::abs(%q)
                  %5 : f32[B, 3] = aten::div(%3, %4)
                  %6 : f32[B, 3] = aten::clamp(%5, min=-2.0, max=2.0)
                  return (%6)
              return (%r)
            """;

    static float[] ramp(int n, double scale, double phase) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (Math.sin(i * 0.37 + phase) * scale);
        return a;
    }

    @ParameterizedTest
    @EnumSource(names = {"SCALAR", "VECTOR"})
    void flatLoopMatchesAFloat64Reference(CompileOptions.Loops loops) {
        CompiledModule m = JvmCompiler.compile(IrParser.parse(FLAT), Map.of(), CHECKED.withLoops(loops));
        assertTrue(m.report().loweredGroups().get(0).contains(loops == CompileOptions.Loops.VECTOR ? "vector loop"
                : "flat loop"), m.report().toString());
        // pass 0: vector plans are warming up (spans run the scalar block, or the vector block once the warm-up
        // thread says so); pass 1: the vector block on whole spans
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) m.markVectorLoopsReady();
            for (int b : new int[] {1, 4, 7, 2731}) { // 3 to 8193 points: vector iterations, spans, scalar tails
                float[] x = ramp(b * 3, 2, 0);
                float[] y = ramp(b * 3, 1.5, 1);
                float[] got = m.forward(Tensor.wrap(x, b, 3), Tensor.wrap(y, b, 3)).get(0).storage().floats();
                for (int i = 0; i < x.length; i++) {
                    double v = Math.max(x[i] * 1.5 + y[i], 0) / Math.abs(y[i]);
                    assertEquals(Math.min(Math.max(v, -2), 2), got[i], 1e-6 * Math.max(1, Math.abs(v)),
                            "b=" + b + " i=" + i);
                }
            }
        }
    }

    static final String ROWS = """
            graph(%x : f32[B, 4, 5], %w : f32[4, 5], %m : bool[4, 5]):
              %r : f32[B, 4, 5] = kiln::fused(%x, %w, %m)
                block(%p : f32[B, 4, 5], %q : f32[4, 5], %c : bool[4, 5]):
                  %1 : f32[B, 4, 5] = aten::add(%p, %q)
                  %2 : f32[B, 4, 5] = aten::tanh(%1)
                  %3 : f32[B, 4, 5] = aten::mul(%2, %p)
                  %k : f64[]{wrapped} = const(-1.0)
                  %4 : f32[B, 4, 5] = aten::masked_fill(%3, %c, %k)
                  %5 : f32[B, 4, 5] = aten::exp(%4)
                  %6 : f32[B, 4, 5] = aten::sub(%5, %2)
                  return (%6)
              return (%r)
            """;

    @ParameterizedTest
    @EnumSource(names = {"SCALAR", "VECTOR"})
    void rowBroadcastMaskAndTranscendentalsOnNonContiguousInput(CompileOptions.Loops loops) {
        CompiledModule m = JvmCompiler.compile(IrParser.parse(ROWS), Map.of(), CHECKED.withLoops(loops));
        assertTrue(m.report().loweredGroups().get(0).contains(loops == CompileOptions.Loops.VECTOR ? "vector loop"
                : "chunked"), m.report().toString());
        // 6000 points: several rows per call; chunked: rows split into 20-point chunks; vector: per 20-point row
        // two 8-lane vectors and a 4-point scalar tail
        int b = 300;
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) m.markVectorLoopsReady(); // pass 0: warming up (scalar block), pass 1: vector block
            // x is a transposed view: storage [5][4][B]... built as (B,4,5) with strides (1, 5*B... ) via a bigger array
            float[] big = ramp(b * 20 + 3, 2, 0.3);
            Tensor x = Tensor.fromStorage(Storage.wrap(big), new int[] {b, 4, 5}, new int[] {1, b * 5, b}, 3);
            float[] w = ramp(20, 1, 2);
            boolean[] mask = new boolean[20];
            for (int i = 0; i < 20; i++) mask[i] = i % 3 == 0;
            float[] got = m.forward(x, Tensor.wrap(w, 4, 5), Tensor.wrap(mask, 4, 5)).get(0).contiguous().storage().floats();
            for (int n = 0; n < b; n++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 5; j++) {
                        double xv = big[3 + n + i * b * 5 + j * b];
                        double t = Math.tanh(xv + w[i * 5 + j]);
                        double v = mask[i * 5 + j] ? -1 : t * xv;
                        double want = Math.exp(v) - t;
                        assertEquals(want, got[(n * 4 + i) * 5 + j], 3e-6 * Math.max(1, Math.abs(want)));
                    }
                }
            }
        }
    }

    static final String FALLBACK = """
            graph(%x : f32[B, 5]):
              %a : f32[B, 5] = aten::neg(%x)
              %r : f32[B, 5] = kiln::fused(%a)
                block(%p : f32[B, 5]):
                  %1 : f32[B, 5] = aten::softmax(%p, dim=1)
                  return (%1)
              return (%r)
            """;

    @Test
    void groupsAndOpsWithoutAJvmLoweringRunOnEagerKernelsAndAreReported() {
        CompiledModule m = JvmCompiler.compile(IrParser.parse(FALLBACK), Map.of(), CHECKED);
        List<String> f = m.report().fallbacks();
        assertTrue(f.stream().anyMatch(s -> s.contains("aten::neg: eager kernel")), f.toString());
        assertTrue(f.stream().anyMatch(s -> s.contains("kiln::fused") && s.contains("reduction")), f.toString());
        float[] x = ramp(10, 3, 0);
        float[] got = m.forward(Tensor.wrap(x, 2, 5)).get(0).storage().floats();
        for (int r = 0; r < 2; r++) {
            double sum = 0;
            for (int j = 0; j < 5; j++) sum += Math.exp(-x[r * 5 + j]);
            for (int j = 0; j < 5; j++) assertEquals(Math.exp(-x[r * 5 + j]) / sum, got[r * 5 + j], 1e-6);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SCALAR", "VECTOR"})
    void generatedClassPassesCheckClassAdapterAndDumpsClassAndListing(CompileOptions.Loops loops, @TempDir Path dir)
            throws Exception {
        CompiledModule m = JvmCompiler.compile(IrParser.parse(ROWS), Map.of(),
                CompileOptions.defaults().withDump(dir).withLoops(loops));
        StringWriter problems = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(m.classBytes()), JvmCompiler.class.getClassLoader(), false,
                new PrintWriter(problems));
        assertEquals("", problems.toString());
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.toList();
        }
        assertEquals(2, files.size(), files.toString());
        Path listing = files.stream().filter(p -> p.toString().endsWith(".txt")).findFirst().orElseThrow();
        String text = Files.readString(listing);
        assertTrue(text.contains("public static k0$b([Ljava/lang/Object;III)V"), text);
        if (loops == CompileOptions.Loops.SCALAR) {
            assertTrue(text.contains("FastMath32.tanh ([FI[FII)V"), text);
            assertTrue(!text.contains("jdk/incubator/vector"), "the scalar path must not need the incubator module");
        } else {
            assertTrue(text.contains("jdk/incubator/vector/FloatVector.fromArray"), text);
            assertTrue(text.contains("jdk/incubator/vector/VectorMask.fromArray"), text);
            assertTrue(text.contains("LaneMath32.tanh (F)F"), "scalar tail and warm-up block: " + text);
            // VectorMath32's functions are inlined as bytecode: the loop calls only the Vector API
            assertTrue(!text.contains("VectorMath32.tanh") && !text.contains("VectorMath32.exp"), text);
        }
        assertTrue(files.stream().anyMatch(p -> p.toString().endsWith(".class")));
    }

    static final String TWO_GROUPS = """
            graph(%x : f32[B, 8]):
              %a : f32[B, 8] = kiln::fused(%x)
                block(%p : f32[B, 8]):
                  %k : f64[]{wrapped} = const(2.0)
                  %1 : f32[B, 8] = aten::mul(%p, %k)
                  return (%1)
              %b : f32[B, 8] = aten::sin(%a)
              %c : f32[B, 8] = kiln::fused(%a, %b)
                block(%q : f32[B, 8], %s : f32[B, 8]):
                  %2 : f32[B, 8] = aten::sub(%q, %s)
                  return (%2)
              return (%c)
            """;

    @Test
    void intermediatesLiveInBuffersReusedAcrossCallsOfOneThread() {
        CompiledModule m = JvmCompiler.compile(IrParser.parse(TWO_GROUPS), Map.of(), CHECKED);
        float[] x = ramp(24, 1, 0);
        Tensor in = Tensor.wrap(x, 3, 8);
        Tensor first = m.forward(in).get(0);
        assertEquals(3 * 8 * 4, m.pooledBytes(), "one pooled buffer: %a (the result %c is fresh)");
        Tensor second = m.forward(in).get(0);
        assertTrue(first.storage().floats() != second.storage().floats(), "outputs are fresh arrays");
        assertArrayEquals(first.storage().floats(), second.storage().floats());
        for (int i = 0; i < x.length; i++) {
            assertEquals(2.0 * x[i] - Math.sin(2.0 * x[i]), second.storage().floats()[i], 1e-6);
        }
        m.forward(Tensor.wrap(ramp(40, 1, 0), 5, 8));
        assertEquals(5 * 8 * 4, m.pooledBytes(), "another binding of B has its own context");
    }

    /**
     * A pooled buffer may flow through views ({@code reshape}, {@code transpose}) into an op that makes a fresh
     * result; a view of it that is a graph output may not — else the next call would overwrite an output the
     * caller still holds.
     */
    @Test
    void pooledBuffersFlowThroughViewsButNeverIntoAnOutput() {
        String ir = """
                graph(%x : f32[B, 8]):
                  %a : f32[B, 8] = kiln::fused(%x)
                    block(%p : f32[B, 8]):
                      %k : f64[]{wrapped} = const(2.0)
                      %1 : f32[B, 8] = aten::mul(%p, %k)
                      return (%1)
                  %r : f32[B, 2, 4] = aten::reshape(%a, shape=[B, 2, 4])
                  %t : f32[B, 4, 2] = aten::transpose(%r, dim0=1, dim1=2)
                  %s : f32[B, 4, 2] = aten::sin(%t)
                  %v : f32[B, 8] = kiln::fused(%x)
                    block(%q : f32[B, 8]):
                      %2 : f32[B, 8] = aten::neg(%q)
                      return (%2)
                  %w : f32[B, 2, 4] = aten::reshape(%v, shape=[B, 2, 4])
                  return (%s, %w)
                """;
        CompiledModule m = JvmCompiler.compile(IrParser.parse(ir), Map.of(), CHECKED);
        float[] x = ramp(24, 1, 0);
        List<Tensor> first = m.forward(Tensor.wrap(x, 3, 8));
        assertEquals(3 * 8 * 4, m.pooledBytes(), "%a (read through views by sin) is pooled; %v (viewed by an output) is not");
        float[] held = first.get(1).contiguous().storage().floats().clone();
        m.forward(Tensor.wrap(ramp(24, -1, 5), 3, 8));
        assertArrayEquals(held, first.get(1).contiguous().storage().floats(), "a later call changed an output");
        for (int b = 0; b < 3; b++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 2; j++) {
                    // %s[b, i, j] = sin(2 x[b, j*4 + i]); %w is -x.
                    assertEquals(Math.sin(2.0 * x[b * 8 + j * 4 + i]), first.get(0).getDouble(b, i, j), 1e-6);
                }
            }
        }
        for (int i = 0; i < 24; i++) assertEquals(-x[i], held[i], 0f);
    }

    @Test
    void forwardIsThreadSafeAndLargeLoopsSplitAcrossThreads() throws Exception {
        int saved = Parallel.numThreads();
        Parallel.setNumThreads(2);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CompiledModule m = JvmCompiler.compile(IrParser.parse(TWO_GROUPS), Map.of(), CHECKED);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int b = 3 + t % 4 * 5000; // up to 120k points: above the parallel grain
                results.add(pool.submit(() -> {
                    for (int rep = 0; rep < 5; rep++) {
                        float[] x = ramp(b * 8, 1, b);
                        float[] got = m.forward(Tensor.wrap(x, b, 8)).get(0).storage().floats();
                        for (int i = 0; i < x.length; i++) {
                            if (Math.abs(2.0 * x[i] - Math.sin(2.0 * x[i]) - got[i]) > 1e-6) return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) assertTrue(f.get());
        } finally {
            pool.shutdown();
            Parallel.setNumThreads(saved);
        }
    }

    /** Every op with a vector lowering, in one group; vector loop vs the interpreter (eager kernels). */
    static final String VECTOR_OPS = """
            graph(%x : f32[B, 4, 6], %b : f32[4, 6], %m : bool[4, 6], %s : f32[]):
              %y, %z : f32[B, 4, 6], f32[B, 4, 6] = kiln::fused(%x, %b, %m, %s)
                block(%p : f32[B, 4, 6], %q : f32[4, 6], %c : bool[4, 6], %t : f32[]):
                  %k : f64[]{wrapped} = const(1.5)
                  %1 : f32[B, 4, 6] = aten::mul(%p, %k)
                  %2 : f32[B, 4, 6] = aten::add(%1, %q, alpha=2)
                  %3 : f32[B, 4, 6] = aten::gelu(%2)
                  %4 : f32[B, 4, 6] = aten::sigmoid(%3)
                  %5 : f32[B, 4, 6] = aten::leaky_relu(%2, negative_slope=0.2)
                  %6 : f32[B, 4, 6] = aten::elu(%5, alpha=0.5)
                  %7 : bool[B, 4, 6] = aten::gt(%6, %t)
                  %8 : bool[B, 4, 6] = aten::logical_and(%7, %c)
                  %9 : bool[B, 4, 6] = aten::logical_not(%8)
                  %10 : f32[B, 4, 6] = aten::where(%9, %6, %p)
                  %11 : f32[B, 4, 6] = aten::gelu(%10, approximate="tanh")
                  %12 : f32[B, 4, 6] = aten::silu(%11)
                  %13 : f32[B, 4, 6] = aten::rsqrt(%4)
                  %14 : f32[B, 4, 6] = aten::add(%12, %13)
                  %15 : f32[B, 4, 6] = aten::log(%4)
                  %16 : f32[B, 4, 6] = aten::sub(%14, %15)
                  %17 : f32[B, 4, 6] = aten::tanh(%16)
                  %18 : f32[B, 4, 6] = aten::exp(%17)
                  %19 : f32[B, 4, 6] = aten::masked_fill(%18, %c, %k)
                  %20 : f32[B, 4, 6] = aten::abs(%p)
                  %21 : f32[B, 4, 6] = aten::sqrt(%20)
                  %22 : f32[B, 4, 6] = aten::reciprocal(%21)
                  %23 : f32[B, 4, 6] = aten::neg(%22)
                  %24 : f32[B, 4, 6] = aten::relu(%23)
                  %25 : f32[B, 4, 6] = aten::maximum(%19, %p)
                  %26 : f32[B, 4, 6] = aten::minimum(%25, %24)
                  %27 : bool[B, 4, 6] = aten::le(%p, %q)
                  %28 : bool[B, 4, 6] = aten::ne(%27, %c)
                  %29 : f32[B, 4, 6] = aten::to(%28, dtype=f32)
                  %30 : f32[B, 4, 6] = aten::div(%26, %21)
                  %31 : f32[B, 4, 6] = aten::sub(%30, %29)
                  %32 : f32[B, 4, 6] = aten::neg(%p)
                  %33 : f32[B, 4, 6] = aten::mul(%32, %p)
                  %34 : f32[B, 4, 6] = aten::exp(%33)
                  %35 : f32[B, 4, 6] = aten::clamp(%16, min=-1.0, max=1.0)
                  %36 : f32[B, 4, 6] = aten::add(%35, %34)
                  return (%31, %36)
              return (%y, %z)
            """;

    /** Only forms that are ≤ 0 (or NaN) for every input may use VectorMath32.expNonPositive. */
    @Test
    void nonPositiveFormsAreRecognisedAndNothingElse() {
        DType f = DType.FLOAT32;
        Expr x = new Expr.Load(0, f);
        Expr y = new Expr.Load(1, f);
        Expr negX = new Expr.Unary(Expr.UnaryOp.NEG, x, f);
        Expr xx = new Expr.Binary(Expr.BinaryOp.MUL, x, x, f, f);
        assertTrue(VectorExprEmitter.nonPositive(new Expr.Binary(Expr.BinaryOp.MUL, negX, x, f, f)));
        assertTrue(VectorExprEmitter.nonPositive(new Expr.Binary(Expr.BinaryOp.MUL, x, negX, f, f)));
        assertTrue(VectorExprEmitter.nonPositive(new Expr.Unary(Expr.UnaryOp.NEG, xx, f)));
        assertTrue(VectorExprEmitter.nonPositive(new Expr.Unary(Expr.UnaryOp.NEG,
                new Expr.Unary(Expr.UnaryOp.ABS, y, f), f)));
        assertTrue(!VectorExprEmitter.nonPositive(xx));
        assertTrue(!VectorExprEmitter.nonPositive(negX));
        assertTrue(!VectorExprEmitter.nonPositive(new Expr.Binary(Expr.BinaryOp.MUL, negX, y, f, f)));
        assertTrue(!VectorExprEmitter.nonPositive(new Expr.Unary(Expr.UnaryOp.NEG,
                new Expr.Binary(Expr.BinaryOp.MUL, x, y, f, f), f)));
    }

    @Test
    void vectorLoopMatchesTheInterpreterOnEveryVectorisedOpAndItsWarmUpLoopBitForBit() {
        Graph g = IrParser.parse(VECTOR_OPS);
        CompiledModule vec = JvmCompiler.compile(g, Map.of(), CHECKED.withLoops(CompileOptions.Loops.VECTOR));
        assertTrue(vec.report().loweredGroups().size() == 1 && vec.report().loweredGroups().get(0).contains("vector loop"),
                vec.report().toString());
        int[] batches = {1, 3, 700}; // 24 points (3 vectors per row), 72, 16800 (several spans, 2 threads)
        List<List<Tensor>> cold = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            // pass 0: before warm-up the spans run the scalar block (LaneMath32), pass 1: the vector block
            if (pass == 1) vec.markVectorLoopsReady();
            for (int k = 0; k < batches.length; k++) {
                int batch = batches[k];
                Tensor x = Tensor.wrap(ramp(batch * 24, 3, 0.1), batch, 4, 6);
                Tensor b = Tensor.wrap(ramp(24, 1, 0.5), 4, 6);
                boolean[] mask = new boolean[24];
                for (int i = 0; i < 24; i++) mask[i] = i % 5 < 2;
                Tensor m = Tensor.wrap(mask, 4, 6);
                Tensor s = Tensor.wrap(new float[] {0.25f});
                List<Tensor> got = vec.forward(x, b, m, s);
                List<Tensor> want = new Interpreter(IrParser.parse(VECTOR_OPS), Map.of()).run(x, b, m, s);
                if (pass == 0) cold.add(got);
                for (int o = 0; o < 2; o++) {
                    float[] gf = got.get(o).storage().floats();
                    float[] wf = want.get(o).storage().floats();
                    for (int i = 0; i < wf.length; i++) {
                        assertEquals(wf[i], gf[i], 1e-5 * Math.max(1, Math.abs(wf[i])), "pass " + pass + " batch "
                                + batch + " output " + o + " i=" + i);
                    }
                    if (pass == 1) assertArrayEquals(cold.get(k).get(o).storage().floats(), gf, "vector and scalar blocks differ");
                }
            }
        }
    }

    @Test
    void opsWithoutAVectorLoweringKeepTheScalarLoopAndSayWhy() {
        CompiledModule m = JvmCompiler.compile(IrParser.parse(TWO_GROUPS.replace("aten::sub(%q, %s)",
                "aten::pow(%q, %s)")), Map.of(), CHECKED.withLoops(CompileOptions.Loops.VECTOR));
        List<String> g = m.report().loweredGroups();
        assertTrue(g.get(0).contains("vector loop"), g.toString());
        assertTrue(g.get(1).contains("flat loop") && g.get(1).contains("not vectorised: pow has no vector lowering"),
                g.toString());
        float[] x = ramp(24, 1, 0);
        float[] got = m.forward(Tensor.wrap(x, 3, 8)).get(0).storage().floats();
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.pow(2.0 * x[i], Math.sin(2.0 * x[i])), got[i], 1e-5, "i=" + i);
        }
    }

    @Test
    void matchesTheInterpreterOnAGroupWithManyOps() {
        String text = """
                graph(%x : f32[B, 6], %b : f32[6]):
                  %y : f32[B, 6] = kiln::fused(%x, %b)
                    block(%p : f32[B, 6], %q : f32[6]):
                      %k : f64[]{wrapped} = const(1.5)
                      %1 : f32[B, 6] = aten::mul(%p, %k)
                      %2 : f32[B, 6] = aten::add(%1, %q, alpha=2)
                      %3 : f32[B, 6] = aten::gelu(%2)
                      %4 : f32[B, 6] = aten::sigmoid(%3)
                      %5 : f32[B, 6] = aten::leaky_relu(%4, negative_slope=0.2)
                      %6 : f32[B, 6] = aten::softplus(%5, beta=2.0, threshold=1.0)
                      %7 : f32[B, 6] = aten::elu(%6, alpha=0.5)
                      %8 : bool[B, 6] = aten::gt(%7, %k)
                      %9 : f32[B, 6] = aten::where(%8, %7, %p)
                      %10 : f32[B, 6] = aten::gelu(%9, approximate="tanh")
                      %11 : f32[B, 6] = aten::pow(%10, %k)
                      %12 : f32[B, 6] = aten::silu(%11)
                      %13 : f32[B, 6] = aten::rsqrt(%4)
                      %14 : f32[B, 6] = aten::add(%12, %13)
                      %15 : f32[B, 6] = aten::log(%4)
                      %16 : f32[B, 6] = aten::sub(%14, %15)
                      return (%16)
                  return (%y)
                """;
        Graph g = IrParser.parse(text);
        CompiledModule m = JvmCompiler.compile(g, Map.of(), CHECKED);
        assertTrue(m.report().loweredGroups().size() == 1, m.report().toString());
        Tensor x = Tensor.wrap(ramp(42 * 6, 3, 0.1), 42, 6);
        Tensor b = Tensor.wrap(ramp(6, 1, 0.5), 6);
        float[] got = m.forward(x, b).get(0).storage().floats();
        float[] want = new Interpreter(IrParser.parse(text), Map.of()).run(x, b).get(0).storage().floats();
        int nans = 0;
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i])) {
                nans++; // pow of a negative base
                assertTrue(Float.isNaN(got[i]), "i=" + i);
            } else {
                assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), "i=" + i);
            }
        }
        assertTrue(nans < want.length / 2, "most points are numbers");
    }

    @Test
    void badInputsNameTheInputExpectedAndFound() {
        CompiledModule m = JvmCompiler.compile(IrParser.parse(FLAT), Map.of(), CHECKED);
        KilnException e = assertThrows(KilnException.class,
                () -> m.forward(Tensor.wrap(new float[6], 2, 3), Tensor.wrap(new float[8], 2, 4)));
        assertTrue(e.getMessage().contains("input 'y'") && e.getMessage().contains("f32[B, 3]")
                && e.getMessage().contains("found f32[2, 4]"), e.getMessage());
        KilnException d = assertThrows(KilnException.class,
                () -> m.forward(Tensor.wrap(new float[6], 2, 3), Tensor.wrap(new int[6], 2, 3)));
        assertTrue(d.getMessage().contains("dtype: expected f32, found i32"), d.getMessage());
        KilnException n = assertThrows(KilnException.class, () -> m.forward(Tensor.wrap(new float[6], 2, 3)));
        assertTrue(n.getMessage().contains("expected 2 input(s) [x, y], found 1"), n.getMessage());
    }
}
