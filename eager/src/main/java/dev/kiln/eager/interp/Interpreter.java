package dev.kiln.eager.interp;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.TensorReads;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The reference interpreter: runs a {@link Graph} node by node on the eager kernels, through the
 * {@link Dispatcher}. It is the oracle every later stage is tested against, so it is deliberately plain.
 *
 * <p>A run binds the size symbols from the arguments ({@link InputBinder}: a mismatch names the input, the
 * expected and the found type), evaluates symbolic attributes under those bindings, checks each op's result shape
 * against its declared type (so a size baked into the graph fails loudly instead of computing something else),
 * checks guards, runs the blocks of {@code kiln::cond} and {@code kiln::scan}, and drops every value after its
 * last use ({@link Liveness}). Any failure is rethrown as {@code while executing <node>} with the node's text and
 * source. Parameters are looked up by state-dict key. An interpreter may be shared between threads: a run keeps
 * its state on the stack.
 */
public final class Interpreter {
    private final Graph graph;
    private final Map<String, Tensor> parameters;
    private final GuardPolicy guardPolicy;
    private final Consumer<String> warnings;
    private final Map<Block, Map<Node, List<Value>>> deaths = new IdentityHashMap<>();

    /** An interpreter that fails on a guard mismatch. */
    public Interpreter(Graph graph, Map<String, Tensor> parameters) {
        this(graph, parameters, GuardPolicy.ERROR, msg -> System.getLogger("dev.kiln.interp")
                .log(System.Logger.Level.WARNING, msg));
    }

    /** {@code warnings} receives guard failures under {@link GuardPolicy#WARN}. The graph must not change later. */
    public Interpreter(Graph graph, Map<String, Tensor> parameters, GuardPolicy guardPolicy, Consumer<String> warnings) {
        this.graph = Objects.requireNonNull(graph);
        this.parameters = Map.copyOf(parameters);
        this.guardPolicy = guardPolicy;
        this.warnings = warnings;
        precompute(graph.topBlock());
    }

    private void precompute(Block b) {
        deaths.put(b, Liveness.deaths(b));
        for (Node n : b.nodes()) for (Block sub : n.blocks()) precompute(sub);
    }

    /** Runs the graph on {@code inputs} and returns its outputs. */
    public List<Tensor> run(Tensor... inputs) {
        return TensorReads.unobserved(() -> {
            Run r = new Run(InputBinder.bind(graph.inputs(), inputs));
            List<Tensor> out = new ArrayList<>();
            for (Object o : r.block(graph.topBlock(), Arrays.asList((Object[]) inputs))) out.add((Tensor) o);
            return out;
        });
    }

    /** The state of one run: symbol bindings and the live values. */
    private final class Run {
        private final Map<String, Long> bindings;
        private final Map<Value, Object> env = new IdentityHashMap<>();

        Run(Map<String, Long> bindings) { this.bindings = bindings; }

        List<Object> block(Block b, List<Object> args) {
            for (int i = 0; i < args.size(); i++) env.put(b.params().get(i), args.get(i));
            Map<Node, List<Value>> dying = deaths.get(b);
            for (Node n : b.nodes()) {
                try {
                    List<Object> out = execute(n);
                    for (int i = 0; i < out.size(); i++) env.put(n.outputs().get(i), out.get(i));
                } catch (GuardFailedException | ExecutionException e) {
                    throw e;
                } catch (RuntimeException e) {
                    String src = n.source().isEmpty() ? "" : "   # " + n.source();
                    throw new ExecutionException("while executing " + IrPrinter.node(n) + src + ": " + e.getMessage(), e);
                }
                for (Value v : dying.getOrDefault(n, List.of())) env.remove(v);
            }
            List<Object> results = new ArrayList<>();
            for (Value v : b.results()) results.add(env.get(v));
            for (Value p : b.params()) env.remove(p);
            return results;
        }

        private List<Object> execute(Node n) {
            NodeKind k = n.kind();
            if (k instanceof NodeKind.OpCall c) {
                Tensor[] in = new Tensor[n.inputs().size()];
                for (int i = 0; i < in.length; i++) in[i] = n.input(i) == null ? null : tensor(n.input(i));
                Tensor[] out = Dispatcher.call(c.op(), c.attrs().evaluate(bindings), in);
                for (int i = 0; i < out.length; i++) checkShape(n.outputs().get(i), out[i]);
                return List.of((Object[]) out);
            }
            if (k instanceof NodeKind.Param p) {
                Tensor t = parameters.get(p.key());
                if (t == null) throw new KilnException("no parameter or buffer named '" + p.key() + "' was given");
                return List.of(t);
            }
            if (k instanceof NodeKind.Const c) return List.of(Constants.tensor(c.data(), n.output().type()));
            if (k instanceof NodeKind.ConstRef r) {
                return List.of(Constants.tensor(graph.constant(r.key()), n.output().type()));
            }
            if (k instanceof NodeKind.Size s) return List.of(tensor(n.input(0)).size((int) s.dim()));
            if (k instanceof NodeKind.Cond) {
                boolean pred = tensor(n.input(0)).itemBool();
                List<Object> operands = new ArrayList<>();
                for (Value v : n.inputs().subList(1, n.inputs().size())) operands.add(env.get(v));
                return block(n.blocks().get(pred ? 0 : 1), operands);
            }
            if (k instanceof NodeKind.Scan s) return scan(n, s);
            if (k instanceof NodeKind.Fused) {
                List<Object> operands = new ArrayList<>();
                for (Value v : n.inputs()) operands.add(env.get(v));
                return block(n.blocks().get(0), operands);
            }

            if (k instanceof NodeKind.Guard g) {
                guard(n, g);
                return List.of();
            }
            throw new KilnException("cannot execute a " + k.name() + " node");
        }

        private List<Object> scan(Node n, NodeKind.Scan s) {
            Tensor xs = tensor(n.input(0));
            Object carry = env.get(n.input(1));
            int dim = (int) s.dim();
            List<Tensor> steps = new ArrayList<>();
            for (long t = 0; t < xs.size(dim); t++) {
                carry = block(n.blocks().get(0), List.of(xs.select(dim, t), carry)).get(0);
                steps.add((Tensor) carry);
            }
            Tensor stacked;
            if (steps.isEmpty()) {
                long[] shape = ((Tensor) carry).shape();
                long[] withSteps = new long[shape.length + 1];
                for (int i = 0, j = 0; i < withSteps.length; i++) withSteps[i] = i == dim ? 0 : shape[j++];
                stacked = Tensor.zeros(((Tensor) carry).dtype(), withSteps);
            } else {
                stacked = Tensor.stack(steps, dim);
            }
            return List.of(carry, stacked);
        }

        private void guard(Node n, NodeKind.Guard g) {
            Tensor t = tensor(n.input(0));
            Object expected = g.expected();
            Object found = expected instanceof Boolean ? (Object) t.itemBool()
                    : expected instanceof Long ? (Object) t.itemLong() : (Object) t.item();
            if (found.equals(expected)) return;
            String where = n.source().file() == null ? "an unknown source location"
                    : n.source().file() + ":" + n.source().line();
            String msg = "guard failed at " + where + (n.source().modulePath().isEmpty() ? ""
                    : " (module " + n.source().modulePath() + ")") + ": the trace read " + expected + " from "
                    + n.input(0) + " but this input gives " + found + "; the Java code there may take another branch "
                    + "than the traced one (trace with Tracer.cond to keep both branches)";
            if (guardPolicy == GuardPolicy.ERROR) throw new GuardFailedException(msg, n.source());
            warnings.accept(msg);
        }

        private void checkShape(Value v, Tensor t) {
            TensorType type = (TensorType) v.type();
            long[] want = type.shape().eval(bindings);
            if (!Arrays.equals(want, t.shape()) || type.dtype() != t.dtype()) {
                throw new KilnException(v + " is declared " + type + " = " + type.dtype().irName()
                        + Arrays.toString(want) + " here, but the kernel produced " + t.dtype().irName()
                        + Arrays.toString(t.shape()));
            }
        }

        private Tensor tensor(Value v) {
            Object o = env.get(v);
            if (!(o instanceof Tensor t)) throw new KilnException(v + " holds " + o + ", not a tensor");
            return t;
        }
    }

    /** A failure while running a node, with the node's text; nested blocks do not wrap it again. */
    public static final class ExecutionException extends KilnException {
        ExecutionException(String message, Throwable cause) { super(message, cause); }
    }
}
