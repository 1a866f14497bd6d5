package dev.kiln.samples.bench;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrParser;
import dev.kiln.passes.Pipelines;
import dev.kiln.passes.util.TensorBridge;
import dev.kiln.samples.CaseJson;
import dev.kiln.tracer.TraceOptions;
import dev.kiln.tracer.TracedModule;
import dev.kiln.tracer.Tracer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A conformance model traced at example inputs and optimised by the inference pipeline, ready to compile. */
public final class CompiledCases {
    private CompiledCases() {}

    /** Traces {@code model} at {@code example} (input names and tolerances from the case) and optimises it. */
    public static Graph optimised(Module model, Path caseDir, Tensor... example) {
        CaseJson meta = CaseJson.read(caseDir);
        List<String> names = new ArrayList<>();
        for (String f : meta.inputFiles0()) names.add(f.substring("input0_".length(), f.length() - ".npy".length()));
        TraceOptions options = TraceOptions.defaults().withInputNames(names.toArray(String[]::new))
                .withTolerance(meta.rtol(), meta.atol());
        TracedModule traced = Tracer.trace(model, options, example);
        Graph g = IrParser.parse(traced.toString(), traced.graph().constants());
        Map<String, TensorData> params = new LinkedHashMap<>();
        traced.parameters().forEach((k, t) -> params.put(k, TensorBridge.data(t)));
        Pipelines.inference(params, Map.of()).build().run(g);
        return g;
    }
}
