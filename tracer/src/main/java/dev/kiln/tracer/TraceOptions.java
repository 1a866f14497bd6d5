package dev.kiln.tracer;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to trace, in the spirit of {@code torch.jit.trace}'s keyword arguments. Immutable; each {@code with...}
 * method returns a changed copy. The defaults: dim 0 of every input is the dynamic size {@code B}, guards fail
 * with an error, no extra check inputs (the example itself is always checked), tolerances {@code rtol 1e-5},
 * {@code atol 1e-5}, not strict, warnings to the {@code dev.kiln.tracer} logger.
 *
 * <p><b>Strict mode</b> turns every situation where the tracer would otherwise go on with a warning into an
 * error: a dynamic size it has to specialise (an ambiguous size, a shape rule that holds only for some sizes), a
 * bulk read of traced tensor data ({@code toFloatArray()}) that no guard can cover, and nondeterministic ops
 * (dropout in training mode, random factories) whose draws the graph would replay.
 */
public final class TraceOptions {
    private final Map<Integer, Map<Integer, String>> dynamicDims;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final List<Tensor[]> checkInputs;
    private final double rtol;
    private final double atol;
    private final boolean strict;
    private final GuardPolicy guardPolicy;
    private final Consumer<String> warnings;
    /** Set only while a copy is made (so the object stays immutable once returned). */
    private boolean probeSizes = true;

    private TraceOptions(Map<Integer, Map<Integer, String>> dynamicDims, List<String> inputNames,
            List<String> outputNames, List<Tensor[]> checkInputs, double rtol, double atol, boolean strict,
            GuardPolicy guardPolicy, Consumer<String> warnings) {
        this.dynamicDims = dynamicDims;
        this.inputNames = inputNames;
        this.outputNames = outputNames;
        this.checkInputs = checkInputs;
        this.rtol = rtol;
        this.atol = atol;
        this.strict = strict;
        this.guardPolicy = guardPolicy;
        this.warnings = warnings;
    }

    /** The defaults. */
    public static TraceOptions defaults() {
        return new TraceOptions(null, List.of(), List.of(), List.of(), 1e-5, 1e-5, false, GuardPolicy.ERROR,
                msg -> System.getLogger("dev.kiln.tracer").log(System.Logger.Level.WARNING, msg));
    }

    /**
     * Makes dim {@code dim} of input {@code input} the dynamic size {@code symbol} (an identifier); every other
     * dim of every input becomes static. Call once per dynamic dim; the same symbol on several dims says they are
     * equal. Without any call, dim 0 of each input is {@code B}.
     */
    public TraceOptions withDynamicDim(int input, int dim, String symbol) {
        Map<Integer, Map<Integer, String>> d = new HashMap<>();
        if (dynamicDims != null) dynamicDims.forEach((k, v) -> d.put(k, new HashMap<>(v)));
        d.computeIfAbsent(input, k -> new HashMap<>()).put(dim, Objects.requireNonNull(symbol));
        return copy(d, inputNames, outputNames, checkInputs, rtol, atol, strict, guardPolicy, warnings);
    }

    /** Every dim of every input static: the graph runs only at the example's sizes. */
    public TraceOptions withStaticShapes() {
        return copy(new HashMap<>(), inputNames, outputNames, checkInputs, rtol, atol, strict, guardPolicy, warnings);
    }

    /** Names of the graph inputs ({@code %x}), in argument order; unnamed inputs are {@code x}, or {@code x0, x1...}. */
    public TraceOptions withInputNames(String... names) {
        return copy(dynamicDims, List.of(names), outputNames, checkInputs, rtol, atol, strict, guardPolicy, warnings);
    }

    /** Names of the graph outputs, in output order (where a name is free in the graph). */
    public TraceOptions withOutputNames(String... names) {
        return copy(dynamicDims, inputNames, List.of(names), checkInputs, rtol, atol, strict, guardPolicy, warnings);
    }

    /** Extra inputs on which eager and traced results must agree (the example is always checked). */
    public TraceOptions withCheckInputs(List<Tensor[]> inputs) {
        return copy(dynamicDims, inputNames, outputNames, List.copyOf(inputs), rtol, atol, strict, guardPolicy,
                warnings);
    }

    /** Tolerances of the trace check: {@code |traced - eager| <= atol + rtol * |eager|}. */
    public TraceOptions withTolerance(double rtol, double atol) {
        return copy(dynamicDims, inputNames, outputNames, checkInputs, rtol, atol, strict, guardPolicy, warnings);
    }

    public TraceOptions withStrict(boolean strict) {
        return copy(dynamicDims, inputNames, outputNames, checkInputs, rtol, atol, strict, guardPolicy, warnings);
    }

    /** What the traced module does when a guard fails: {@link GuardPolicy#ERROR} (default) or warn. */
    public TraceOptions withGuardPolicy(GuardPolicy policy) {
        return copy(dynamicDims, inputNames, outputNames, checkInputs, rtol, atol, strict, policy, warnings);
    }

    /** Where tracing and guard warnings go. */
    public TraceOptions withWarnings(Consumer<String> sink) {
        return copy(dynamicDims, inputNames, outputNames, checkInputs, rtol, atol, strict, guardPolicy, sink);
    }

    /**
     * Whether to probe each dynamic size after tracing (default true): run eager and traced with the example grown
     * by one along that size, and specialise the size when they disagree. Costs one extra eager and one graph run
     * per size symbol; turn off for models whose eager forward is expensive or has side effects.
     */
    public TraceOptions withSizeProbe(boolean probe) {
        TraceOptions o = copy(dynamicDims, inputNames, outputNames, checkInputs, rtol, atol, strict, guardPolicy,
                warnings);
        o.probeSizes = probe;
        return o;
    }

    boolean probeSizes() { return probeSizes; }

    private TraceOptions copy(Map<Integer, Map<Integer, String>> d, List<String> in, List<String> out,
            List<Tensor[]> check, double rtol, double atol, boolean strict, GuardPolicy g, Consumer<String> w) {
        TraceOptions o = new TraceOptions(d, in, out, check, rtol, atol, strict, g, w);
        o.probeSizes = probeSizes;
        return o;
    }

    /** The symbol of dim {@code dim} of input {@code input}, or null when static. */
    String dynamicSymbol(int input, int dim, int rank) {
        if (dynamicDims == null) return dim == 0 && rank > 0 ? "B" : null;
        Map<Integer, String> m = dynamicDims.get(input);
        return m == null ? null : m.get(dim);
    }

    String inputName(int index, int count) {
        if (index < inputNames.size()) return inputNames.get(index);
        return count == 1 ? "x" : "x" + index;
    }

    List<String> outputNames() { return outputNames; }

    public List<Tensor[]> checkInputs() { return new ArrayList<>(checkInputs); }

    public double rtol() { return rtol; }

    public double atol() { return atol; }

    public boolean strict() { return strict; }

    public GuardPolicy guardPolicy() { return guardPolicy; }

    public Consumer<String> warnings() { return warnings; }
}
