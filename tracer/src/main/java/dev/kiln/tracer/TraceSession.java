package dev.kiln.tracer;

import dev.kiln.eager.DispatchInterceptor;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.TensorReads;
import dev.kiln.ir.AttrSpec;
import dev.kiln.ir.AttrType;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import dev.kiln.ir.OpTrait;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.SourceInfo;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.infer.TypeInference;
import dev.kiln.ir.infer.TypeInferenceException;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One run of a model under the recorder: the dispatch interceptor that turns each op into a node and the
 * tensor-read observer that turns sizes into symbols and element reads into guards.
 *
 * <p>Invariant: every tensor the traced program has seen maps (by identity) to one SSA {@link Value} whose type,
 * evaluated at the example's sizes, is the tensor's dtype and shape. Tensors first seen as op inputs are
 * parameters/buffers (by identity with the model's state dict, emitted as {@code param} nodes) or constants. Only
 * the outermost dispatch is recorded ({@link #depth}): ops and size reads inside kernels are the kernel's business.
 */
final class TraceSession implements DispatchInterceptor, TensorReads.Observer {
    private static final ThreadLocal<TraceSession> ACTIVE = new ThreadLocal<>();

    final Graph graph = new Graph();
    final Map<String, Long> bindings;
    private final TraceOptions options;
    private final Map<Tensor, Value> values = new IdentityHashMap<>();
    private final Map<Tensor, String> paramPaths = new IdentityHashMap<>();
    private final SizeProvenance provenance = new SizeProvenance();
    private final SourceLocator locator;
    private final Deque<Block> blocks = new ArrayDeque<>();
    private final List<String> warnings;
    private int depth;

    TraceSession(dev.kiln.eager.nn.Module model, TraceOptions options, Map<String, Long> bindings,
            List<String> warnings) {
        this.options = options;
        this.bindings = bindings;
        this.warnings = warnings;
        this.locator = new SourceLocator(model);
        model.stateDict().forEach((k, t) -> paramPaths.putIfAbsent(t, k));
        blocks.push(graph.topBlock());
    }

    /** The session recording on this thread, or null. */
    static TraceSession active() { return ACTIVE.get(); }

    /** Runs {@code body} with this session recording on the current thread. */
    <T> T record(Supplier<T> body) {
        if (ACTIVE.get() != null) throw new TraceException("a trace is already running on this thread");
        ACTIVE.set(this);
        try (var d = dev.kiln.eager.Dispatcher.intercept(this); var r = TensorReads.observe(this)) {
            return body.get();
        } finally {
            ACTIVE.remove();
        }
    }

    /** Runs {@code body} eagerly without recording (the tracer's own computations). */
    <T> T unrecorded(Supplier<T> body) {
        depth++;
        try {
            return body.get();
        } finally {
            depth--;
        }
    }

    void bind(Tensor t, Value v) { values.put(t, v); }

    /** Whether ops issued now are recorded (false inside kernels and the tracer's own eager work). */
    boolean recording() { return depth == 0; }

    /** The source of a structured node issued now. */
    SourceInfo here() { return locator.locate(List.of()); }

    Block currentBlock() { return blocks.peek(); }

    void pushBlock(Block b) { blocks.push(b); }

    void popBlock() { blocks.pop(); }

    void warn(String message) {
        if (options.strict()) throw new TraceException("strict trace: " + message);
        warnings.add(message);
    }

    // ---------------------------------------------------------------- ops

    @Override
    public Tensor[] intercept(Op op, Attrs attrs, Tensor[] inputs, Invocation next) {
        if (depth > 0) return next.proceed(inputs);
        Tensor[] out = unrecorded(() -> next.proceed(inputs));
        recordOp(op, attrs, inputs, out);
        return out;
    }

    private void recordOp(Op op, Attrs attrs, Tensor[] inputs, Tensor[] out) {
        if (op.has(OpTrait.RANDOM) && (op != Op.DROPOUT || attrs.getBool("train"))) {
            warn(op + " is nondeterministic: the graph replays the draws of the trace (seed "
                    + attrs.getOrNull("seed") + ")" + (op == Op.DROPOUT ? "; call model.eval() before tracing" : ""));
        }
        List<Value> in = new ArrayList<>();
        List<TensorType> types = new ArrayList<>();
        Set<String> params = new LinkedHashSet<>();
        for (Tensor t : inputs) {
            Value v = t == null ? null : valueOf(t);
            in.add(v);
            types.add(v == null ? null : (TensorType) v.type());
            if (t != null && paramPaths.containsKey(t)) params.add(paramPaths.get(t));
        }
        Attrs symbolic = symbolicSizes(op, attrs);
        List<TensorType> outTypes;
        try {
            outTypes = TypeInference.infer(op, types, symbolic);
        } catch (TypeInferenceException e) {
            Set<String> symbols = symbolsOf(types);
            if (symbols.isEmpty()) throw new TraceException("cannot type " + op + " while tracing: " + e.getMessage(), e);
            throw new Specialize(symbols, op + " needs static sizes here: " + e.getMessage());
        }
        for (int i = 0; i < out.length; i++) checkAgainstExample(op, outTypes.get(i), out[i], types);
        Node n = graph.create(new NodeKind.OpCall(op, symbolic)).inputs(in).outputs(outTypes)
                .source(locator.locate(params)).appendTo(currentBlock());
        for (int i = 0; i < out.length; i++) values.put(out[i], n.outputs().get(i));
    }

    /** SHAPE attributes with sizes read from symbolic dims replaced by their expressions. */
    private Attrs symbolicSizes(Op op, Attrs attrs) {
        Attrs.Builder b = null;
        for (AttrSpec spec : op.schema().attrs()) {
            if (spec.type() != AttrType.SHAPE || !attrs.has(spec.name())) continue;
            List<SymExpr> sizes = provenance.resolve(op + " " + spec.name(), attrs.getInts(spec.name()));
            if (b == null) {
                b = Attrs.of(op);
                for (Map.Entry<String, Object> e : attrs.asMap().entrySet()) b.set(e.getKey(), e.getValue());
            }
            b.set(spec.name(), sizes);
        }
        return b == null ? attrs : b.build();
    }

    /** The inferred type must give the example's actual result; otherwise a size was attributed wrongly. */
    private void checkAgainstExample(Op op, TensorType type, Tensor actual, List<TensorType> inputTypes) {
        long[] want = type.shape().eval(bindings);
        if (type.dtype() != actual.dtype() || !Arrays.equals(want, actual.intShape().length == 0 ? new long[0]
                : toLongs(actual.intShape()))) {
            Set<String> symbols = symbolsOf(inputTypes);
            symbols.addAll(type.shape().numel().symbols());
            String msg = op + " gives " + actual.dtype().irName() + Arrays.toString(actual.intShape())
                    + " on the example but its symbolic type is " + type;
            if (symbols.isEmpty()) throw new TraceException("internal tracer error: " + msg);
            throw new Specialize(symbols, msg);
        }
    }

    private static long[] toLongs(int[] a) { return Arrays.stream(a).asLongStream().toArray(); }

    private static Set<String> symbolsOf(List<TensorType> types) {
        Set<String> s = new LinkedHashSet<>();
        for (TensorType t : types) if (t != null) s.addAll(t.shape().numel().symbols());
        for (TensorType t : types) if (t != null) for (SymExpr d : t.shape().dims()) s.addAll(d.symbols());
        return s;
    }

    /** The value of a tensor, emitting a param or constant node the first time a pre-existing tensor is used. */
    Value valueOf(Tensor t) {
        Value v = values.get(t);
        if (v != null) return v;
        String path = paramPaths.get(t);
        Node n;
        if (path != null) {
            n = hoisted(graph.create(new NodeKind.Param(path)).outputs(TensorType.of(t.dtype(), t.shape()))
                    .names(path));
        } else {
            n = unrecorded(() -> TensorReads.unobserved(() -> constant(t)));
        }
        values.put(t, n.output());
        return n.output();
    }

    private Node constant(Tensor t) {
        Node c = graph.appendConstant(graph.topBlock(), TensorDataOf.tensor(t), t.isWrappedNumber());
        // appendConstant appends; move it before the structured node we are inside of, if any.
        if (blocks.size() == 1) return c;
        Node moved = hoisted(graph.create(c.kind()).outputs(c.output().type()));
        graph.erase(c);
        return moved;
    }

    /** Appends to the top block, or, inside a {@code cond}/{@code scan} body, just before that structured node. */
    private Node hoisted(Graph.NodeBuilder b) {
        if (blocks.size() == 1) return b.appendTo(graph.topBlock());
        Block outermostInner = new ArrayList<>(blocks).get(blocks.size() - 2);
        return b.insertBefore(outermostInner.owner());
    }

    // ---------------------------------------------------------------- reads

    @Override
    public void sizeRead(Tensor t, int dim, long value) {
        Value v = depth > 0 ? null : values.get(t);
        if (v != null) provenance.record(value, ((TensorType) v.type()).shape().dim(dim));
    }

    @Override
    public void shapeRead(Tensor t, long[] shape) {
        for (int d = 0; d < shape.length; d++) sizeRead(t, d, shape[d]);
    }

    @Override
    public void elementRead(Tensor t, long[] index, Object value) {
        if (depth > 0 || !values.containsKey(t)) return; // parameters and constants cannot change
        Value v = values.get(t);
        SourceInfo src = locator.locate(List.of());
        for (long i : index) {
            Attrs a = Attrs.of(Op.SELECT).set("dim", 0L).set("index", i).build();
            TensorType type = TypeInference.infer(Op.SELECT, List.of((TensorType) v.type()), a).get(0);
            v = graph.create(new NodeKind.OpCall(Op.SELECT, a)).inputs(v).outputs(type).source(src)
                    .appendTo(currentBlock()).output();
        }
        if (!((TensorType) v.type()).shape().numel().isConstant(1)) {
            throw new Specialize(((TensorType) v.type()).shape().numel().symbols(),
                    "a guard reads one element of " + v + " : " + v.type());
        }
        graph.create(new NodeKind.Guard(value)).inputs(v).source(src).appendTo(currentBlock());
    }

    @Override
    public void bulkRead(Tensor t, String how) {
        if (depth > 0 || !values.containsKey(t)) return;
        warn(how + "() read every element of traced value " + values.get(t) + " at " + locator.locate(List.of())
                + ": no guard covers Java decisions taken on that data");
    }
}
