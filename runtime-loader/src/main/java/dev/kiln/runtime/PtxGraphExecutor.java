package dev.kiln.runtime;

import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.cuda.CudaDevice;
import dev.kiln.codegen.ptx.cuda.DeviceBuffer;
import dev.kiln.codegen.ptx.cuda.KernelLaunches;
import dev.kiln.codegen.ptx.kir.RenderedKernel;
import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.kernel.GroupCheck;
import dev.kiln.passes.kernel.Kernel;
import dev.kiln.passes.kernel.KernelLowering;
import dev.kiln.passes.kernel.LoweredGroup;
import dev.kiln.passes.shape.ShapeBindings;
import dev.kiln.passes.util.Consts;
import dev.kiln.passes.util.TensorBridge;
import dev.kiln.serialization.CompiledCode;
import dev.kiln.serialization.RawTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an optimised graph with its fusion groups on a CUDA device: each group that has a PTX kernel (archived, with
 * its launch metadata) is launched on the GPU — an epilogue's anchor (GEMM, conv) first runs on the eager CPU kernels,
 * then its operands are copied to the device, the kernel runs, and its outputs are copied back; every other node
 * (ops outside groups, groups without a kernel) runs on the eager kernels as the interpreter would. Data crosses the
 * PCIe bus at every group: this executor proves the archived PTX end to end; it is not a fast GPU runtime.
 *
 * <p>The device has one stream, so calls are serialised (thread-safe, one at a time). Graphs with control flow are
 * not handled here (the backend runs them on the CPU).
 */
final class PtxGraphExecutor implements Executor {
    private final Graph graph;
    private final CudaDevice device;
    private final Object[] constants;
    private final GpuGroup[] gpu;
    private final Interpreter[] cpu;

    /** A fusion group with its kernel: the kernel IR it was rendered from and the archived PTX + launch. */
    private record GpuGroup(LoweredGroup lowered, RenderedKernel kernel) {}

    /**
     * @param kernels PTX text by kernel name, for {@code section}'s artifacts
     */
    PtxGraphExecutor(CompiledCode section, Map<String, String> kernels, CudaDevice device) {
        this.graph = section.graph();
        this.device = device;
        List<Node> top = graph.topBlock().nodes();
        constants = new Object[top.size()];
        gpu = new GpuGroup[top.size()];
        cpu = new Interpreter[top.size()];
        for (CompiledCode.Artifact a : section.artifacts()) {
            CompiledCode.PtxLaunch l = a.launch();
            Node n = top.get(l.node());
            LoweredGroup lg = KernelLowering.lower(n);
            RenderedKernel r = new RenderedKernel(new PtxKernel(a.name(), kernels.get(a.name())), lg.kernel(),
                    l.operandParams(), l.sizeParams(), l.threads(), l.reduction());
            gpu[l.node()] = new GpuGroup(lg, r);
        }
        for (int i = 0; i < top.size(); i++) {
            Node n = top.get(i);
            NodeKind k = n.kind();
            if (k instanceof NodeKind.Fused && gpu[i] == null) cpu[i] = new Interpreter(GroupCheck.standalone(n), Map.of());
            else if (k instanceof NodeKind.Const c) constants[i] = TensorBridge.tensor(c.data(), (TensorType) n.output().type());
            else if (k instanceof NodeKind.ConstRef r) {
                constants[i] = TensorBridge.tensor(graph.constant(r.key()), (TensorType) n.output().type());
            } else if (k instanceof NodeKind.Param p) {
                throw new IllegalArgumentException("the optimised graph reads parameter '" + p.key()
                        + "'; the ptx backend expects parameters frozen into constants");
            }
        }
    }

    @Override
    public List<Tensor> execute(Tensor[] inputs) {
        List<long[]> shapes = new ArrayList<>();
        for (Tensor t : inputs) shapes.add(t.shape());
        Map<String, Long> bindings = ShapeBindings.fromInputs(graph.inputs(), shapes);
        Map<Value, Object> env = new IdentityHashMap<>();
        Block top = graph.topBlock();
        for (int i = 0; i < inputs.length; i++) env.put(top.params().get(i), inputs[i]);
        List<Node> nodes = top.nodes();
        synchronized (device) {
            for (int id = 0; id < nodes.size(); id++) {
                Node n = nodes.get(id);
                List<Object> out = node(id, n, env, bindings);
                for (int j = 0; j < out.size(); j++) env.put(n.outputs().get(j), out.get(j));
            }
        }
        List<Tensor> results = new ArrayList<>();
        for (Value v : top.results()) results.add((Tensor) env.get(v));
        return results;
    }

    private List<Object> node(int id, Node n, Map<Value, Object> env, Map<String, Long> bindings) {
        NodeKind k = n.kind();
        if (k instanceof NodeKind.OpCall c) {
            return List.of((Object[]) Dispatcher.call(c.op(), c.attrs().evaluate(bindings), tensors(n.inputs(), env)));
        }
        if (k instanceof NodeKind.Const || k instanceof NodeKind.ConstRef) return List.of(constants[id]);
        if (k instanceof NodeKind.Size s) return List.of(((Tensor) env.get(n.input(0))).size((int) s.dim()));
        if (k instanceof NodeKind.Guard g) {
            guard(n, g, (Tensor) env.get(n.input(0)));
            return List.of();
        }
        if (k instanceof NodeKind.Fused) {
            Tensor[] in = tensors(n.inputs(), env);
            if (gpu[id] == null) return List.copyOf(cpu[id].run(in));
            return List.copyOf(launch(gpu[id], n, in, bindings));
        }
        throw new KilnException("the ptx executor cannot run a " + k.name() + " node");
    }

    /** One group on the device: operands up, kernel, outputs down. */
    private List<Tensor> launch(GpuGroup g, Node n, Tensor[] in, Map<String, Long> bindings) {
        Kernel k = g.lowered().kernel();
        // Kernel operands in order (as KernelLowering numbers them): the group's inputs, the anchor's product
        // inserted at its operand index, then the group's constants.
        List<Tensor> ops = new ArrayList<>(List.of(in));
        Node a = g.lowered().anchor();
        if (a != null) {
            NodeKind.OpCall c = (NodeKind.OpCall) a.kind();
            Block b = n.blocks().get(0);
            Tensor[] args = new Tensor[a.inputs().size()];
            for (int i = 0; i < args.length; i++) {
                Value v = a.input(i);
                if (v == null) continue;
                int p = b.params().indexOf(v);
                args[i] = p >= 0 ? in[p] : TensorBridge.tensor(Consts.of(v), (TensorType) v.type());
            }
            ops.add(g.lowered().anchorOperand(), Dispatcher.call(c.op(), c.attrs().evaluate(bindings), args)[0]);
        }
        for (int i = ops.size(); i < k.operands().size(); i++) {
            ops.add(TensorBridge.tensor(k.operands().get(i).constant(), k.operands().get(i).type()));
        }
        Tensor[] operands = ops.toArray(Tensor[]::new);
        List<DeviceBuffer> held = new ArrayList<>();
        try {
            DeviceBuffer[] inBufs = new DeviceBuffer[operands.length];
            for (int op : g.kernel().operandParams()) {
                byte[] bytes = bytes(operands[op]);
                inBufs[op] = device.allocate(Math.max(1, bytes.length));
                held.add(inBufs[op]);
                inBufs[op].upload(bytes);
            }
            int stores = k.stores().size();
            DeviceBuffer[] outBufs = new DeviceBuffer[stores];
            long[][] outShapes = new long[stores][];
            for (int s = 0; s < stores; s++) {
                TensorType t = (TensorType) n.outputs().get(s).type();
                outShapes[s] = t.shape().eval(bindings);
                long numel = 1;
                for (long d : outShapes[s]) numel *= d;
                outBufs[s] = device.allocate(Math.max(1, numel * t.dtype().itemSize()));
                held.add(outBufs[s]);
            }
            KernelLaunches.run(device, g.kernel(), bindings, inBufs, outBufs);
            device.synchronize();
            List<Tensor> out = new ArrayList<>();
            for (int s = 0; s < stores; s++) {
                TensorType t = (TensorType) n.outputs().get(s).type();
                long numel = 1;
                for (long d : outShapes[s]) numel *= d;
                byte[] bytes = new byte[(int) (numel * t.dtype().itemSize())];
                outBufs[s].download(bytes);
                RawTensor raw = RawTensor.wrap(t.dtype(), outShapes[s], ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
                out.add(TensorConversion.toTensor(raw));
            }
            return out;
        } finally {
            for (DeviceBuffer b : held) b.close();
        }
    }

    /** A tensor's elements, dense row-major little-endian (bool one byte each), as the kernels read them. */
    private static byte[] bytes(Tensor t) {
        ByteBuffer data = TensorConversion.toRaw(t).data();
        byte[] out = new byte[data.remaining()];
        data.get(out);
        return out;
    }

    private static Tensor[] tensors(List<Value> values, Map<Value, Object> env) {
        Tensor[] out = new Tensor[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i) == null ? null : (Tensor) env.get(values.get(i));
        return out;
    }

    /** As the interpreter's guard (policy {@code error}): the same message. */
    private static void guard(Node n, NodeKind.Guard g, Tensor t) {
        Object expected = g.expected();
        Object found = expected instanceof Boolean ? (Object) t.itemBool()
                : expected instanceof Long ? (Object) t.itemLong() : (Object) t.item();
        if (found.equals(expected)) return;
        String where = n.source().file() == null ? "an unknown source location"
                : n.source().file() + ":" + n.source().line();
        throw new GuardFailedException("guard failed at " + where + (n.source().modulePath().isEmpty() ? ""
                + "" : " (module " + n.source().modulePath() + ")") + ": the trace read " + expected + " from "
                + n.input(0) + " but this input gives " + found + "; the Java code there may take another branch "
                + "than the traced one (trace with Tracer.cond to keep both branches)", n.source());
    }
}
