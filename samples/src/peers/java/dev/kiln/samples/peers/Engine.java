package dev.kiln.samples.peers;

import java.util.ArrayList;
import java.util.List;

/**
 * The engines compared side by side. Each opens an {@link EngineSession} for one case, input batch and thread
 * count.
 *
 * <p>Kiln's compiled JVM backend (codegen-jvm, id {@code kiln-compiled}) is the baseline of every ratio
 * ({@link #BASELINE_PREFERENCE}). Sessions of the native peers are created inside {@link #open} only, so a JMH fork measuring one engine never
 * loads another engine's native libraries (its peak resident memory is its own).
 */
public enum Engine {
    KILN_EAGER("kiln-eager", "Kiln eager (no_grad)"),
    KILN_INTERPRETER("kiln-interp", "Kiln interpreter (traced)"),
    KILN_COMPILED("kiln-compiled", "Kiln compiled (traced, optimised, codegen-jvm)"),
    ONNX_RUNTIME("ort", "ONNX Runtime 1.29.0 (model.onnx)"),
    LIBTORCH("libtorch", "libtorch 2.7.1 via DJL 0.35.1 (traced.pt)");

    /** Ratios are taken to the first of these engines that has a result for the row. */
    public static final List<String> BASELINE_PREFERENCE = List.of("kiln-compiled", "kiln-eager");

    private final String id;
    private final String label;

    Engine(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Short name used as the JMH parameter value and in the table. */
    public String id() { return id; }

    /** What exactly runs, for the table's legend. */
    public String label() { return label; }

    /**
     * Opens a session on {@code input} (the batch to run) with {@code threads} intra-op threads.
     *
     * @throws Exception whatever the engine raises while loading; callers report it as the row's result
     */
    public EngineSession open(PeerCase c, PeerInput input, int threads) throws Exception {
        return switch (this) {
            case KILN_EAGER -> KilnEagerSession.open(c, input, threads);
            case KILN_INTERPRETER -> KilnInterpreterSession.open(c, input, threads);
            case KILN_COMPILED -> KilnCompiledSession.open(c, input, threads);
            case ONNX_RUNTIME -> OrtEngineSession.open(c, input, threads);
            case LIBTORCH -> TorchEngineSession.open(c, input, threads);
        };
    }

    /** Whether a session traces (and compiles) the model for its own input, as Kiln's graph engines do. */
    public boolean tracesItsInput() { return this == KILN_INTERPRETER || this == KILN_COMPILED; }

    /** The engine with that id; the error lists the known ones. */
    public static Engine byId(String id) {
        List<String> known = new ArrayList<>();
        for (Engine e : values()) {
            if (e.id.equals(id)) return e;
            known.add(e.id);
        }
        throw new IllegalArgumentException("unknown engine '" + id + "'; known engines: " + known);
    }
}
