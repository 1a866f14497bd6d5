package dev.kiln.codegen.jvm;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import java.util.Arrays;
import java.util.List;

/**
 * A graph compiled by {@link JvmCompiler}. {@link #forward} is thread-safe: each thread gets its own execution
 * context ({@link Frame}) per binding of the size symbols, holding the memory plan's buffers, so a steady-state call
 * allocates its outputs, the eager kernels' results and a few small objects, and no intermediate of a lowered group.
 *
 * <p>The module owns off-heap memory: the constant weights its GEMM anchors packed at compile time
 * ({@link GemmAnchor}) and its frames' operand buffers, all direct memory ({@link NativeFloats}) that the collector
 * frees once the module (or a frame's thread) is unreachable. {@link #close()} ends the module's use:
 * {@code forward} after {@code close} fails. {@code close} must not run while a {@code forward} is in flight.
 */
public final class CompiledModule implements AutoCloseable {
    private final Program program;
    private final Binder binder;
    private final Interpreter interpreted;
    private final CompileReport report;
    private final byte[] classBytes;
    private final ThreadLocal<Binder.Contexts> contexts;
    private volatile boolean closed;

    CompiledModule(Program program, Binder binder, CompileReport report, byte[] classBytes) {
        this.program = program;
        this.binder = binder;
        this.interpreted = null;
        this.report = report;
        this.classBytes = classBytes;
        this.contexts = ThreadLocal.withInitial(() -> new Binder.Contexts(binder.symbols.size()));
    }

    /** A graph the JVM back end cannot lower as a whole (control flow): runs on the interpreter. */
    CompiledModule(Interpreter interpreted, CompileReport report) {
        this.program = null;
        this.binder = null;
        this.interpreted = interpreted;
        this.report = report;
        this.classBytes = new byte[0];
        this.contexts = null;
    }

    /** Skips the warm-up of every vector loop ({@link VectorWarmup}): whole spans run vectorised from now on. */
    void markVectorLoopsReady() {
        if (program == null) return;
        for (Program.Group g : program.groups) if (g != null && g.warmup != null) g.warmup.markReady();
    }

    /** The warm-up state of each vector kernel, in group order, one entry per kernel (groups may share one). */
    List<VectorWarmup> vectorWarmups() {
        List<VectorWarmup> w = new java.util.ArrayList<>();
        if (program == null) return w;
        for (Program.Group g : program.groups) {
            if (g != null && g.warmup != null && w.stream().noneMatch(x -> x == g.warmup)) w.add(g.warmup);
        }
        return w;
    }

    /**
     * Blocks until the Vector API code this module uses runs as compiled code — the vector loops of its fusion
     * groups ({@link VectorWarmup}) and the GEMM/conv kernels of its anchors ({@link AnchorGate}) — or
     * {@code timeout} passes, starting the warm-ups that have not started yet (a vector loop's warm-up otherwise
     * starts on its group's first call). Until then {@link #forward} already works, on the scalar loops and the
     * BLAS forms (same results within rounding), only slower; call this before timing the module or before
     * reporting a server ready. Returns at once {@code true} for a module without Vector API code, and
     * {@code false} at once when a warm-up gave up (a JVM that never compiles it, e.g. {@code -Xint}: that code
     * stays on its scalar/BLAS form). The anchor kernels are shared by all modules of the JVM, so a second module
     * usually finds them warm.
     *
     * @param timeout how long to wait at most (zero: only check)
     * @return whether everything is warm
     */
    public boolean awaitWarm(java.time.Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("CompiledModule.awaitWarm: expected a non-negative timeout, found " + timeout);
        }
        if (program == null) return true;
        java.util.Set<AnchorGate> gates = anchorGates();
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        while (true) {
            boolean warm = true;
            for (Program.Group g : program.groups) {
                if (g == null || g.warmup == null || g.warmup.ready()) continue;
                if (g.warmup.gaveUp()) return false;
                g.warmup.start(program.graph, g.kernel, g.plan); // once; again after a demotion
                warm = false;
            }
            for (AnchorGate g : gates) {
                if (g.ready()) continue;
                if (g.gaveUp()) return false;
                g.start();
                warm = false;
            }
            if (warm) return true;
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            try {
                Thread.sleep(Math.min(5, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The warm-up gates of the anchor kernels this module may run. */
    java.util.Set<AnchorGate> anchorGates() {
        java.util.Set<AnchorGate> gates = java.util.EnumSet.noneOf(AnchorGate.class);
        if (program == null) return gates;
        for (GemmAnchor a : program.anchors) if (a != null) a.gates(gates);
        for (Program.Group g : program.groups) if (g != null && g.gemm != null) g.gemm.gates(gates);
        return gates;
    }

    /**
     * Tests: per anchor (top-level ones and fusion groups' epilogue anchors, in node order), whether its last call in
     * the calling thread's most recently used execution context ran Vector API code (else its BLAS form).
     */
    List<Boolean> lastAnchorCallsVector() {
        List<Boolean> r = new java.util.ArrayList<>();
        if (program == null) return r;
        Frame f = contexts.get().last;
        for (int id = 0; id < program.anchors.length; id++) {
            GemmAnchor a = program.anchors[id] != null ? program.anchors[id]
                    : program.groups[id] != null ? program.groups[id].gemm : null;
            if (a != null) r.add(f != null && a.lastRanVector(f, id));
        }
        return r;
    }

    /** Runs the graph; symbol sizes are read from {@code inputs}. */
    public List<Tensor> forward(Tensor... inputs) {
        if (interpreted != null) return interpreted.run(inputs);
        if (closed) throw new IllegalStateException("this compiled module was closed (" + report.className() + ")");
        Binder.Contexts c = contexts.get();
        binder.bind(inputs, c.key);
        Frame f = c.get(program, binder);
        Object[] out = program.graph.forward(f, inputs);
        Tensor[] t = new Tensor[out.length];
        for (int i = 0; i < t.length; i++) t[i] = (Tensor) out[i];
        return Arrays.asList(t);
    }

    public CompileReport report() { return report; }

    /**
     * Ends the module's use: later {@link #forward} calls fail. Idempotent. Its off-heap memory is freed by the
     * collector once nothing references the module.
     */
    @Override
    public void close() { closed = true; }

    /** Bytes of pooled intermediate buffers in the calling thread's most recently used execution context. */
    long pooledBytes() {
        if (contexts == null) return 0;
        Frame f = contexts.get().last;
        return f == null ? 0 : f.bufferBytes();
    }

    /** The generated class file (empty when the graph runs on the interpreter). */
    public byte[] classBytes() { return classBytes.clone(); }
}
