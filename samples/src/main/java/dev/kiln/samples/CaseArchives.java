package dev.kiln.samples;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.Module;
import dev.kiln.runtime.ArchiveExporter;
import dev.kiln.runtime.Backends;
import dev.kiln.runtime.InterpreterBackend;
import dev.kiln.serialization.ArchiveEntry;
import dev.kiln.serialization.ArchiveMetadata;
import dev.kiln.tracer.TraceOptions;
import dev.kiln.tracer.TracedModule;
import dev.kiln.tracer.Tracer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Traces the Java version of a conformance case and saves it as a {@code .kiln} archive: what {@code ./kiln
 * trace}, the demo and the archive tests share.
 *
 * <p>Inputs and outputs are named as in the case's {@code case.json} ({@code x} → {@code logits} for {@code mlp});
 * without a case.json, {@code input0, input1, ...} and {@code output0, ...}. Dim 0 of every input is the dynamic
 * size {@code B} (the tracer's default), so the archive runs at any batch size the model allows. The archive's
 * metadata records the model class, the trace options (names, example shapes, tolerance, guard policy) and the
 * backend: {@code jvm} by default (the archive carries the optimised graph and its generated, verifiable class),
 * {@code ptx} (also the PTX kernels) or {@code interp} (the traced graph only).
 */
public final class CaseArchives {
    private CaseArchives() {}

    /** A traced case with the names its archive will use. */
    public record Traced(String caseName, Module model, TracedModule module, List<String> inputNames,
                         List<String> outputNames, TraceOptions options, Tensor[] example) {}

    /**
     * Traces {@code model} (the case's Java model, weights loaded, eval mode) at {@code example}; {@code meta} (may
     * be null) gives names and the trace-check tolerance.
     */
    public static Traced trace(String caseName, Module model, CaseJson meta, Tensor... example) {
        List<String> in = meta != null && meta.inputs().size() == example.length ? meta.inputNames()
                : defaultNames("input", example.length);
        TraceOptions options = TraceOptions.defaults().withInputNames(in.toArray(String[]::new));
        if (meta != null) options = options.withTolerance(meta.rtol(), meta.atol());
        TracedModule traced = Tracer.trace(model, options, example);
        int outputs = traced.graph().outputs().size();
        List<String> out = meta != null && meta.outputNames().size() == outputs ? meta.outputNames()
                : defaultNames("output", outputs);
        return new Traced(caseName, model, traced, in, out, options, example.clone());
    }

    /** The backend archives are written for unless another is named. */
    public static final String DEFAULT_BACKEND = "jvm";

    /** Saves {@code t} atomically to {@code file} for {@link #DEFAULT_BACKEND}; returns the archive's entries. */
    public static List<ArchiveEntry> save(Traced t, Path file) throws IOException {
        return save(t, file, DEFAULT_BACKEND);
    }

    /** Saves {@code t} atomically to {@code file} for {@code backend} (interp, jvm, ptx), with its generated code. */
    public static List<ArchiveEntry> save(Traced t, Path file, String backend) throws IOException {
        return ArchiveExporter.save(t.module().graph(), t.module().parameters(), t.inputNames(), t.outputNames(),
                metadata(t, backend), file);
    }

    /** Who made the archive and how: model class, trace options, backend. */
    public static ArchiveMetadata metadata(Traced t, String backend) {
        Map<String, String> trace = new LinkedHashMap<>();
        trace.put("case", t.caseName());
        trace.put("input_names", String.join(",", t.inputNames()));
        trace.put("output_names", String.join(",", t.outputNames()));
        List<String> shapes = new ArrayList<>();
        for (Tensor x : t.example()) shapes.add(x.dtype().irName() + Arrays.toString(x.shape()));
        trace.put("example_types", String.join(", ", shapes));
        trace.put("dynamic_dims", "dim 0 of every input is B");
        trace.put("check_tolerance", "rtol=" + t.options().rtol() + ", atol=" + t.options().atol());
        trace.put(InterpreterBackend.GUARD_POLICY_OPTION, t.options().guardPolicy().name().toLowerCase(Locale.ROOT));
        return ArchiveMetadata.of(t.model().getClass().getName()).withTraceOptions(trace)
                .withCompileOptions(Map.of(Backends.OPTION, backend));
    }

    private static List<String> defaultNames(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(prefix + i);
        return out;
    }
}
