package dev.kiln.codegen.jvm;

import static org.objectweb.asm.Opcodes.*;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.OpTrait;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Use;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;
import dev.kiln.passes.kernel.GroupCheck;
import dev.kiln.passes.kernel.LoweredGroup;
import dev.kiln.passes.kernel.KernelLowering;
import dev.kiln.passes.kernel.LoweringException;
import dev.kiln.passes.kernel.Operand;
import dev.kiln.passes.util.Consts;
import dev.kiln.passes.util.TensorBridge;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.CheckClassAdapter;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * Compiles an optimised graph (the output of {@code Pipelines.inference}) into one JVM class written with ASM:
 * every {@code kiln::fused} / {@code kiln::fused_epilogue} group whose kernel IR {@link LoopPlan} accepts becomes a
 * static loop method; the top block becomes {@code forward}, straight-line code that calls the eager kernels
 * through {@link KilnKernels} for every other op. Graphs with {@code kiln::cond} or {@code kiln::scan} run on the
 * interpreter (listed as a fallback). The class is defined in its own loader and wrapped in a
 * {@link CompiledModule}.
 */
public final class JvmCompiler {
    /**
     * The contract between a generated class and this module's runtime ({@link KilnKernels}, {@link Frame}, the
     * {@link GeneratedGraph} interface, the node numbering of {@code Program}): a class generated under another
     * version must not be instantiated here. Bump it with any change to what generated code calls or assumes.
     * 3: groups with the same loop code share one kernel, so a class has fewer {@code kI} methods than lowered
     * groups (a runtime of version 2 would look for one per group).
     */
    public static final int ABI_VERSION = 3;

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** Ops whose eager kernels always return a fresh tensor, never a view of an input: pooled buffers may feed them. */
    private static final Set<Op> FRESH = EnumSet.of(Op.LINEAR, Op.MATMUL, Op.MM, Op.BMM, Op.CONV2D, Op.SOFTMAX,
            Op.LOG_SOFTMAX, Op.LAYER_NORM, Op.SUM, Op.MEAN, Op.MAX_POOL2D, Op.AVG_POOL2D, Op.ADAPTIVE_AVG_POOL2D,
            Op.CAT, Op.STACK, Op.EMBEDDING);

    private JvmCompiler() {}

    /**
     * @param optimised the graph; must not change afterwards
     * @param constants tensors for its {@code param[...]} nodes (none once frozen)
     */
    public static CompiledModule compile(Graph optimised, Map<String, Tensor> constants, CompileOptions options) {
        return compile(optimised, constants, options, null);
    }

    /**
     * A module running {@code classFile} — a class this compiler generated (under {@link #ABI_VERSION}) from
     * {@code optimised}, e.g. read from an archive — instead of generating one. The class is scanned first
     * ({@link GeneratedCodeVerifier}; {@link GeneratedCodeRejectedException} when it refers to anything outside the
     * allow-list), must declare the loop methods the graph's lowered groups need, and is defined in its own loader.
     * A graph with control flow has no class ({@code classFile} empty) and runs on the interpreter.
     *
     * @throws IllegalArgumentException when the class does not fit the graph
     */
    public static CompiledModule instantiate(Graph optimised, Map<String, Tensor> constants, byte[] classFile) {
        if (controlFlow(optimised.topBlock()) != null) {
            if (classFile.length != 0) {
                throw new IllegalArgumentException("the graph has control flow and runs on the interpreter, but a "
                        + classFile.length + "-byte class was given for it");
            }
            return compile(optimised, constants, CompileOptions.defaults());
        }
        if (classFile.length == 0) {
            throw new IllegalArgumentException("no class was given, but the graph has no control flow and needs one");
        }
        return instantiate(optimised, constants, classFile, GeneratedCodeVerifier.verify(classFile));
    }

    /**
     * {@link #instantiate(Graph, Map, byte[])} for a class already scanned: {@code verified} must be
     * {@link GeneratedCodeVerifier#verify}'s answer for {@code classFile}. Its loops are planned the way the class
     * was generated (vector or scalar, {@link GeneratedCodeVerifier.VerifiedClass#usesVectorApi}).
     *
     * @throws KilnException when the class uses the Vector API and this JVM lacks {@code jdk.incubator.vector}
     *                       (check {@link #vectorModulePresent()} first and regenerate instead)
     */
    public static CompiledModule instantiate(Graph optimised, Map<String, Tensor> constants, byte[] classFile,
            GeneratedCodeVerifier.VerifiedClass verified) {
        CompileOptions.Loops loops = verified.usesVectorApi() ? CompileOptions.Loops.VECTOR : CompileOptions.Loops.SCALAR;
        return compile(optimised, constants, CompileOptions.defaults().withLoops(loops), new Given(classFile, verified));
    }

    /** A verified class to instantiate instead of generating one. */
    private record Given(byte[] bytes, GeneratedCodeVerifier.VerifiedClass verified) {}

    private static CompiledModule compile(Graph optimised, Map<String, Tensor> constants, CompileOptions options,
            Given given) {
        long t0 = System.nanoTime();
        Block top = optimised.topBlock();
        String controlFlow = controlFlow(top);
        String name = given != null ? given.verified().binaryName().replace('.', '/')
                : "dev/kiln/codegen/jvm/generated/KilnGraph" + COUNTER.incrementAndGet();
        if (controlFlow != null) {
            CompileReport r = new CompileReport("(none)", 0, List.of(), List.of("whole graph: " + controlFlow
                    + " has no JVM lowering; the graph runs on the interpreter"), System.nanoTime() - t0, 0);
            return new CompiledModule(new Interpreter(optimised, constants), r);
        }
        boolean vector = vectorLoops(options.loops());
        // The GEMM anchors' Vector API kernel (PanelGemm) is run-time state, not bytecode: an archived class without
        // vector loops is instantiated with loops SCALAR, yet its anchors may still use the module when present.
        boolean vectorGemm = given != null ? vectorModulePresent() : vector;
        List<Node> nodes = top.nodes();
        Program p = new Program(nodes.size());
        List<String> lowered = new ArrayList<>();
        List<String> fallbacks = new ArrayList<>();
        List<MethodNode> kernels = new ArrayList<>();
        Map<String, Program.Group> byCode = new java.util.HashMap<>();
        Map<Value, Tensor> topConsts = new IdentityHashMap<>();
        for (int id = 0; id < nodes.size(); id++) {
            Node n = nodes.get(id);
            p.nodes[id] = n;
            NodeKind k = n.kind();
            if (k instanceof NodeKind.OpCall c) {
                p.attrs[id] = c.attrs();
                GemmAnchors.Choice ch = GemmAnchors.select(c.op(), c.attrs(), consts(n.inputs(), topConsts, null),
                        types(n.inputs()), vectorGemm);
                if (ch != null && ch.anchor() != null) {
                    p.anchors[id] = ch.anchor();
                    lowered.add(n.outputs() + " = " + ch.anchor().describe());
                } else {
                    fallbacks.add(n.outputs() + " = " + c.op().qualifiedName() + ": eager kernel"
                            + (ch == null ? "" : " (" + ch.reason() + ")"));
                }
            } else if (k instanceof NodeKind.Param prm) {
                Tensor t = constants.get(prm.key());
                if (t == null) throw new KilnException("no parameter or buffer named '" + prm.key() + "' was given");
                p.constants[id] = t;
                topConsts.put(n.output(), t);
            } else if (k instanceof NodeKind.Const c) {
                p.constants[id] = constant(c.data(), (TensorType) n.output().type());
                topConsts.put(n.output(), (Tensor) p.constants[id]);
            } else if (k instanceof NodeKind.ConstRef r) {
                p.constants[id] = constant(optimised.constant(r.key()), (TensorType) n.output().type());
                topConsts.put(n.output(), (Tensor) p.constants[id]);
            } else if (k instanceof NodeKind.Fused) {
                p.groups[id] = group(n, kernels, byCode, lowered, fallbacks, topConsts, vector, vectorGemm);
            }
        }
        plan(top, p);
        long t1 = System.nanoTime();
        byte[] bytes = given != null ? given.bytes() : emit(name, top, kernels);
        if (given != null) checkFits(given.verified(), kernels);
        if (options.verify()) verify(name, bytes);
        if (options.dumpDir() != null) dump(name, bytes, options);
        long t2 = System.nanoTime();
        try {
            Class<?> cls = new GeneratedClassLoader().define(name.replace('/', '.'), bytes);
            p.graph = (GeneratedGraph) cls.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load generated class " + name, e);
        }
        long t3 = System.nanoTime();
        CompileReport r = new CompileReport(name.replace('/', '.'), bytes.length, lowered, fallbacks,
                (t1 - t0) + (t2 - t1), t3 - t2);
        return new CompiledModule(p, new Binder(optimised.inputs()), r, bytes);
    }

    /** The given class must have forward, run and the loop methods of every lowered group (k0, k0$b, k1, ...). */
    private static void checkFits(GeneratedCodeVerifier.VerifiedClass c, List<MethodNode> kernels) {
        Set<String> want = new java.util.TreeSet<>(List.of("<init>", "forward", "run"));
        for (MethodNode m : kernels) want.add(m.name);
        if (!c.methodNames().containsAll(want)) {
            throw new IllegalArgumentException("class " + c.binaryName() + " does not fit the graph: expected at least the methods "
                    + want + ", found " + new java.util.TreeSet<>(c.methodNames()));
        }
    }

    private static String controlFlow(Block b) {
        for (Node n : b.nodes()) {
            if (n.kind() instanceof NodeKind.Cond || n.kind() instanceof NodeKind.Scan) return n.kind().name();
        }
        return null;
    }

    private static Tensor constant(TensorData d, TensorType t) {
        if (t.wrappedNumber()) {
            Object v = d.element(0);
            return switch (d.dtype()) {
                case FLOAT64 -> Tensor.scalar((Double) v);
                case INT64 -> Tensor.scalar((Long) v);
                case BOOL -> Tensor.scalar((Boolean) v);
                default -> throw new KilnException("a wrapped-number constant must be f64, i64 or bool, found "
                        + d.dtype().irName());
            };
        }
        return Tensor.wrap(d.array(), d.shape());
    }

    /** Per value: its constant tensor when {@code topConsts} (or {@code local}, for block values) has one. */
    private static Tensor[] consts(List<Value> values, Map<Value, Tensor> topConsts, Tensor[] local) {
        Tensor[] t = new Tensor[values.size()];
        for (int i = 0; i < t.length; i++) {
            Value v = values.get(i);
            t[i] = local != null && local[i] != null ? local[i] : v == null ? null : topConsts.get(v);
        }
        return t;
    }

    private static ValueType[] types(List<Value> values) {
        ValueType[] t = new ValueType[values.size()];
        for (int i = 0; i < t.length; i++) t[i] = values.get(i) == null ? null : values.get(i).type();
        return t;
    }


    /** Whether the JVM can run Vector API code: {@code jdk.incubator.vector} is in the boot layer. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static boolean vectorLoops(CompileOptions.Loops loops) {
        return switch (loops) {
            case SCALAR -> false;
            case AUTO -> vectorModulePresent();
            case VECTOR -> {
                if (!vectorModulePresent()) {
                    throw new KilnException("CompileOptions.loops VECTOR needs the module jdk.incubator.vector, which "
                            + "this JVM was started without; start java with --add-modules jdk.incubator.vector, or "
                            + "use loops AUTO or SCALAR");
                }
                yield true;
            }
        };
    }

    /**
     * Lowers fusion group {@code n}. A group whose loop methods come out the same as an earlier group's (in
     * {@code byCode}, keyed by {@link #codeKey}) shares that group's kernel and {@link VectorWarmup} instead of adding
     * methods: the 12 LSTM steps of {@code embedding_lstm_like} are one kernel, so C2 compiles one block, and the
     * warm-up thread warms one instead of twelve one after the other.
     */
    private static Program.Group group(Node n, List<MethodNode> kernels, Map<String, Program.Group> byCode,
                                       List<String> lowered, List<String> fallbacks,
                                       Map<Value, Tensor> topConsts, boolean vector, boolean vectorGemm) {
        Program.Group g = new Program.Group();
        String what = n.kind().name() + " " + n.outputs() + ops(n);
        try {
            LoweredGroup lg = KernelLowering.lower(n);
            LoopPlan plan = LoopPlan.of(lg.kernel(), vector);
            if (plan.reject != null) throw new UnsupportedOperationException("kernel " + plan.reject);
            int index = drivers(kernels).size();
            List<MethodNode> ms = LoopEmitter.emit(plan, "k" + index);
            String code = codeKey(ms);
            Program.Group same = byCode.get(code);
            g.plan = plan;
            if (same != null) {
                g.kernel = same.kernel;
                g.warmup = same.warmup;
            } else {
                g.kernel = index;
                if (plan.vector) g.warmup = new VectorWarmup();
                kernels.addAll(ms);
            }
            Block b = n.blocks().get(0);
            if (lg.anchor() != null) {
                Node a = lg.anchor();
                g.anchorOp = ((NodeKind.OpCall) a.kind()).op();
                g.anchorAttrs = ((NodeKind.OpCall) a.kind()).attrs();
                if (a.outputs().size() == 1 && a.outputs().get(0).type() instanceof TensorType t
                        && t.dtype() == DType.FLOAT32) {
                    g.anchorShape = t.shape().dims().toArray(SymExpr[]::new);
                }
                g.anchorInputs = new int[a.inputs().size()];
                g.anchorConsts = new Tensor[a.inputs().size()];
                for (int i = 0; i < a.inputs().size(); i++) {
                    Value v = a.input(i);
                    g.anchorInputs[i] = v == null ? -1 : b.params().indexOf(v);
                    if (v != null && g.anchorInputs[i] < 0) {
                        g.anchorConsts[i] = TensorBridge.tensor(Consts.of(v), (TensorType) v.type());
                    }
                }
                g.anchorOperand = lg.anchorOperand();
                // A group input that is a top-level constant (a frozen weight) counts as constant too.
                List<Value> outer = new ArrayList<>();
                for (int i = 0; i < a.inputs().size(); i++) {
                    outer.add(g.anchorInputs[i] >= 0 ? n.input(g.anchorInputs[i]) : null);
                }
                GemmAnchors.Choice ch = GemmAnchors.select(g.anchorOp, g.anchorAttrs,
                        consts(outer, topConsts, g.anchorConsts), types(a.inputs()), vectorGemm);
                if (ch != null && ch.anchor() != null) {
                    g.gemm = ch.anchor();
                    lowered.add(n.outputs() + " anchor " + ch.anchor().describe());
                } else {
                    fallbacks.add(n.outputs() + " = " + g.anchorOp.qualifiedName() + " (anchor of " + n.kind().name()
                            + "): eager kernel" + (ch == null ? "" : " (" + ch.reason() + ")"));
                }
            }
            List<Operand> ops = lg.kernel().operands();
            g.operandConsts = new Tensor[ops.size()];
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).constant() != null) {
                    g.operandConsts[i] = TensorBridge.tensor(ops.get(i).constant(), ops.get(i).type());
                }
            }
            g.domain = lg.kernel().domain().toArray(SymExpr[]::new);
            String shape = plan.vector ? " (vector loop, " + vectorLanes() + " float lanes, scalar tail)"
                    : plan.chunked ? " (chunked, " + plan.stages + " stages, " + plan.helpers.size()
                    + " FastMath32 array calls)" : " (flat loop)";
            if (plan.notVectorised != null) shape += " [not vectorised: " + plan.notVectorised + "]";
            lowered.add(what + " -> k" + g.kernel + shape + (same != null ? " [same code as an earlier group]" : ""));
            if (same == null) byCode.put(code, g);
        } catch (LoweringException | UnsupportedOperationException e) {
            g.plan = null;
            g.kernel = -1;
            g.gemm = null;
            g.fallback = new Interpreter(GroupCheck.standalone(n), Map.of());
            fallbacks.add(what + ": not lowered (" + e.getMessage() + "); its block runs on the eager kernels");
        }
        return g;
    }

    /** Lanes of the vector species (only called when the module is present). */
    private static int vectorLanes() { return dev.kiln.codegen.jvm.vector.VectorMath32.LANES; }

    /**
     * The instructions of a kernel's methods as text, with the calls between them ({@code kI$b} from {@code kI})
     * named without their index: equal keys mean the same loops over the same operand and store layout.
     */
    static String codeKey(List<MethodNode> methods) {
        org.objectweb.asm.util.Textifier t = new org.objectweb.asm.util.Textifier();
        org.objectweb.asm.util.TraceMethodVisitor v = new org.objectweb.asm.util.TraceMethodVisitor(t);
        for (MethodNode m : methods) {
            t.getText().add("method " + m.name.replaceFirst("^k\\d+", "k") + m.desc + "\n");
            m.accept(v);
        }
        java.io.StringWriter out = new java.io.StringWriter();
        t.print(new java.io.PrintWriter(out));
        return out.toString().replaceAll(java.util.regex.Pattern.quote(LoopEmitter.OWNER_PLACEHOLDER) + "\\.k\\d+",
                "owner.k");
    }

    /** Names of the kernel drivers ({@code kI}) among the generated loop methods ({@code kI}, {@code kI$b}, ...). */
    private static List<String> drivers(List<MethodNode> kernels) {
        List<String> names = new ArrayList<>();
        for (MethodNode m : kernels) if (!m.name.contains("$")) names.add(m.name);
        return names;
    }

    private static String ops(Node n) {
        List<String> names = new ArrayList<>();
        for (Node m : n.blocks().get(0).nodes()) {
            if (m.kind() instanceof NodeKind.OpCall c) names.add(c.op().qualifiedName().replace("aten::", ""));
        }
        return " (" + String.join(", ", names) + ")";
    }

    /**
     * The memory plan: a lowered group's result, and a packed anchor's result, gets a pooled buffer when it cannot
     * escape the call ({@link #internal}).
     */
    private static void plan(Block top, Program p) {
        Set<Value> results = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        results.addAll(top.results());
        for (int id = 0; id < p.nodes.length; id++) {
            Node n = p.nodes[id];
            if (p.anchors[id] != null && internal(n.outputs().get(0), p, results)) p.anchorSlot[id] = p.bufferCount++;
            if (p.anchors[id] == null && writesInto(n) && internal(n.outputs().get(0), p, results)) {
                p.intoSlot[id] = p.bufferCount++;
                p.intoShape[id] = ((TensorType) n.outputs().get(0).type()).shape().dims().toArray(SymExpr[]::new);
            }
            Program.Group g = p.groups[id];
            if (g == null || g.plan == null) continue;
            if (g.gemm != null) {
                g.gemmSlot = p.bufferCount++;
            } else if (g.anchorOp != null && g.anchorShape != null && Dispatcher.hasIntoKernel(g.anchorOp)) {
                g.gemmSlot = p.bufferCount++;
            }
            g.bufferSlot = new int[n.outputs().size()];
            for (int j = 0; j < g.bufferSlot.length; j++) {
                g.bufferSlot[j] = internal(n.outputs().get(j), p, results) ? p.bufferCount++ : -1;
            }
        }
    }

    /**
     * Whether {@code v}'s storage cannot outlive the call, so it may live in a buffer the frame reuses: it is not a
     * graph result, and every reader is a lowered group, an op whose eager kernel returns a fresh tensor, a size or
     * guard read, or an op whose result may share {@code v}'s storage ({@link #mayAlias}: views, {@code reshape})
     * and is itself internal.
     */
    private static boolean internal(Value v, Program p, Set<Value> results) {
        if (results.contains(v)) return false;
        for (Use u : v.uses()) {
            NodeKind k = u.user().kind();
            if (k instanceof NodeKind.Fused) {
                int id = java.util.Arrays.asList(p.nodes).indexOf(u.user());
                if (id < 0 || p.groups[id].plan == null) return false;
            } else if (k instanceof NodeKind.OpCall c) {
                Op op = c.op();
                boolean fresh = FRESH.contains(op) || op.has(OpTrait.ELEMENTWISE) && op != Op.TO_DTYPE && op != Op.CLONE;
                if (fresh) continue;
                if (!mayAlias(op)) return false;
                for (Value out : u.user().outputs()) if (!internal(out, p, results)) return false;
            } else if (!(k instanceof NodeKind.Guard || k instanceof NodeKind.Size)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether top-level node {@code n} runs an eager kernel that can write its float32 result into a pooled buffer
     * ({@code Dispatcher.hasIntoKernel}). A {@code reshape}/{@code flatten} copies only when its input's layout
     * forbids a view, so it gets a buffer only when that input comes from a transpose, permute or expand (else the
     * buffer would sit unused).
     */
    private static boolean writesInto(Node n) {
        if (!(n.kind() instanceof NodeKind.OpCall c) || n.outputs().size() != 1) return false;
        if (!(n.outputs().get(0).type() instanceof TensorType t) || t.dtype() != DType.FLOAT32) return false;
        if (!Dispatcher.hasIntoKernel(c.op())) return false;
        if (c.op() == Op.RESHAPE || c.op() == Op.FLATTEN) {
            Node producer = n.input(0).producer();
            return producer != null && producer.kind() instanceof NodeKind.OpCall pc
                    && (pc.op() == Op.TRANSPOSE || pc.op() == Op.PERMUTE || pc.op() == Op.EXPAND);
        }
        return true;
    }

    /** Ops whose eager result may be (or may view) their input's storage. */
    private static boolean mayAlias(Op op) {
        return op.has(OpTrait.VIEW) || op == Op.RESHAPE || op == Op.FLATTEN
                || op == Op.TO_DTYPE || op == Op.CLONE;
    }

    private static byte[] emit(String name, Block top, List<MethodNode> kernels) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() { return JvmCompiler.class.getClassLoader(); }
        };
        cw.visit(V17, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, "java/lang/Object",
                new String[] {Type.internal(GeneratedGraph.class)});
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        ForwardEmitter.forward(cw, top);
        ForwardEmitter.run(cw, name, drivers(kernels));
        for (MethodNode m : kernels) {
            for (var insn : m.instructions) {
                if (insn instanceof org.objectweb.asm.tree.MethodInsnNode mi && mi.owner.equals(LoopEmitter.OWNER_PLACEHOLDER)) {
                    mi.owner = name;
                }
            }
            m.accept(cw);
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** ASM's bytecode verifier (types, stack, locals) over every method; throws with its listing on a problem. */
    static void verify(String name, byte[] bytes) {
        StringWriter sw = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(bytes), JvmCompiler.class.getClassLoader(), false, new PrintWriter(sw));
        if (!sw.toString().isEmpty()) throw new IllegalStateException("generated class " + name + " fails verification:\n" + sw);
    }

    private static void dump(String name, byte[] bytes, CompileOptions o) {
        try {
            Files.createDirectories(o.dumpDir());
            String simple = name.substring(name.lastIndexOf('/') + 1);
            Files.write(o.dumpDir().resolve(simple + ".class"), bytes);
            StringWriter sw = new StringWriter();
            new ClassReader(bytes).accept(new TraceClassVisitor(null, new Textifier(), new PrintWriter(sw)), 0);
            Files.writeString(o.dumpDir().resolve(simple + ".txt"), sw.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
