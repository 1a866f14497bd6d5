package dev.kiln.samples;

import dev.kiln.eager.Dispatcher;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.type.TensorType;
import dev.kiln.passes.Pipelines;
import dev.kiln.passes.kernel.KernelLowering;
import dev.kiln.passes.kernel.LoweredGroup;
import dev.kiln.passes.shape.ShapeBindings;
import dev.kiln.passes.util.Consts;
import dev.kiln.passes.util.TensorBridge;
import dev.kiln.tracer.TracedModule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fusion groups of every conformance case, as the PTX tests see them: the case traced at {@code input0},
 * optimised by the standard inference pipeline, each {@code kiln::fused} node lowered to kernel IR, with the
 * bindings of {@code input0} and deterministic inputs (the same as {@link PassPipelineConformanceTest}'s kernel
 * check). {@link Group#operands()} are the kernel's operand values in order: the block's inputs, an epilogue's anchor
 * product (computed by the eager kernels), then the group's constants.
 */
final class FusedKernelCases {
    private FusedKernelCases() {}

    /** One fusion group of one case. */
    record Group(String caseName, int index, Node fused, LoweredGroup lowered, Map<String, Long> bindings) {
        String entryName() { return "kir_" + caseName + "_" + index; }

        /** Every operand of the kernel as a tensor (inputs, anchor product, constants), in operand order. */
        List<Tensor> operands() {
            List<Tensor> in = inputs();
            List<Tensor> ops = new ArrayList<>(in);
            if (lowered.anchor() != null) {
                NodeKind.OpCall c = (NodeKind.OpCall) lowered.anchor().kind();
                Block b = fused.blocks().get(0);
                Tensor[] args = new Tensor[lowered.anchor().inputs().size()];
                for (int i = 0; i < args.length; i++) {
                    Value v = lowered.anchor().input(i);
                    if (v == null) continue;
                    int p = b.params().indexOf(v);
                    args[i] = p >= 0 ? in.get(p) : TensorBridge.tensor(Consts.of(v), (TensorType) v.type());
                }
                ops.add(lowered.anchorOperand(), Dispatcher.call(c.op(), c.attrs().evaluate(bindings), args)[0]);
            }
            for (int k = ops.size(); k < lowered.kernel().operands().size(); k++) {
                TensorData d = lowered.kernel().operands().get(k).constant();
                ops.add(TensorBridge.tensor(d, lowered.kernel().operands().get(k).type()));
            }
            return ops;
        }

        /** The block's inputs: {@code sin(k * 0.37 + seed)} per element, one seed per input. */
        List<Tensor> inputs() {
            List<Tensor> in = new ArrayList<>();
            int seed = 0;
            for (Value p : fused.blocks().get(0).params()) {
                TensorType t = (TensorType) p.type();
                long[] shape = t.shape().eval(bindings);
                int size = 1;
                for (long d : shape) size *= (int) d;
                float[] a = new float[size];
                seed++;
                for (int k = 0; k < size; k++) a[k] = (float) Math.sin(k * 0.37 + seed);
                in.add(t.dtype() == DType.FLOAT32 ? Tensor.of(a, shape) : Tensor.of(a, shape).to(t.dtype()));
            }
            return in;
        }

        @Override
        public String toString() { return caseName + " #" + index + " " + fused; }
    }

    static List<Group> groups(String name) {
        Path dir = ConformanceCase.defaultSuite().resolve(name);
        TracedModule traced = TracedConformanceTest.trace(ConformanceCase.byName(name).load(dir), dir);
        Graph g = IrParser.parse(traced.toString(), traced.graph().constants());
        List<long[]> shapes0 = new ArrayList<>();
        for (Tensor t : ConformanceCase.inputs(dir, 0)) shapes0.add(t.shape());
        Map<String, Long> bindings = ShapeBindings.fromInputs(g.inputs(), shapes0);
        Map<String, TensorData> params = new LinkedHashMap<>();
        traced.parameters().forEach((k, t) -> params.put(k, TensorBridge.data(t)));
        Pipelines.inference(params, Map.of()).build().run(g);
        List<Group> out = new ArrayList<>();
        for (Node f : g.topBlock().nodes()) {
            if (f.kind() instanceof NodeKind.Fused) out.add(new Group(name, out.size(), f, KernelLowering.lower(f), bindings));
        }
        return out;
    }
}
