package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.ir.graph.Graph;
import dev.kiln.serialization.ArchiveMetadata;
import dev.kiln.serialization.Signature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model loaded from an archive, ready to run: its {@link Signature} (input and output names, dtypes and shapes,
 * which may hold symbols such as {@code B}), its metadata and graph, and an {@link Executor} from its backend.
 *
 * <p>Every call is checked against the signature first ({@link InputMismatchException} names the input, what was
 * expected and what was found); a model traced with guards may also throw
 * {@link dev.kiln.eager.interp.GuardFailedException} for an input that takes another branch than the traced one.
 * Calls run without autograd recording. Safe for concurrent calls from any number of threads: the model holds no
 * per-call state and never modifies its parameters or the caller's inputs.
 */
public final class LoadedModel {
    private final String source;
    private final Graph graph;
    private final Signature signature;
    private final ArchiveMetadata metadata;
    private final String backend;
    private final Executor executor;
    private final List<String> codeNotes;

    LoadedModel(String source, Graph graph, Signature signature, ArchiveMetadata metadata, String backend,
            Executor executor, List<String> codeNotes) {
        this.codeNotes = List.copyOf(codeNotes);
        this.source = source;
        this.graph = graph;
        this.signature = signature;
        this.metadata = metadata;
        this.backend = backend;
        this.executor = executor;
    }

    /** Runs the model on inputs in signature order; returns the outputs in signature order. */
    @SuppressWarnings("try") // the no-grad scope is used only for its effect
    public List<Tensor> forward(Tensor... inputs) {
        InputValidator.check(signature, inputs);
        try (var noGrad = GradMode.noGrad()) {
            return List.copyOf(executor.execute(inputs.clone()));
        }
    }

    /** Runs the model on inputs by name; returns the outputs by name, in signature order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        List<Tensor> out = forward(InputValidator.order(signature, inputs));
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < out.size(); i++) named.put(signature.outputs().get(i).name(), out.get(i));
        return Collections.unmodifiableMap(named);
    }

    public Signature signature() { return signature; }

    /**
     * Blocks until the model runs at its steady-state speed or {@code timeout} passes ({@link Executor#awaitWarm});
     * returns whether it does. For benchmarks (before timing) and readiness checks; {@link #forward} works before.
     */
    public boolean awaitWarm(java.time.Duration timeout) { return executor.awaitWarm(timeout); }


    /** Input names in positional order. */
    public List<String> inputNames() { return names(signature.inputs()); }

    /** Output names in positional order. */
    public List<String> outputNames() { return names(signature.outputs()); }

    public ArchiveMetadata metadata() { return metadata; }

    /** The graph as archived (read-only by convention: do not mutate it). */
    public Graph graph() { return graph; }

    /** The name of the backend running the model ({@code interp}, ...). */
    public String backend() { return backend; }

    /**
     * What the backend did with the archive's code, one line each: "jvm: kiln/jvm/...class: SHA-256 checked,
     * allow-list scan passed, loaded", "jvm: class regenerated from the archive's optimised graph as requested", ...
     * Empty for the interpreter.
     */
    public List<String> codeNotes() { return codeNotes; }

    /** Where the model came from (the archive's path), for messages. */
    public String source() { return source; }

    private static List<String> names(List<Signature.Port> ports) {
        List<String> out = new ArrayList<>();
        for (Signature.Port p : ports) out.add(p.name());
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "LoadedModel[" + source + ", " + backend + ", " + signature.inputs() + " -> " + signature.outputs()
                + "]";
    }
}
