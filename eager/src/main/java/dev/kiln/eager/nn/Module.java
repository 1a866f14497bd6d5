package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base class of neural-network modules, as {@code torch.nn.Module}.
 *
 * <p>A module owns named parameters, buffers and submodules, registered in its constructor with
 * {@link #registerParameter}, {@link #registerBuffer} and {@link #registerModule}. Names compose into dotted
 * paths ({@code layer1.0.conv1.weight}) exactly as PyTorch's {@code state_dict} keys, so PyTorch weights load by
 * name. Registration order is preserved and is the order of {@link #namedParameters()} and {@link #stateDict()}.
 *
 * <p>Subclasses implement {@link #forward(Tensor...)}. A parameter or buffer may be replaced (e.g. by state-dict
 * loading) only with a tensor of the same shape and dtype; its registered slot is the single place it lives.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Runs the module. Modules with one input and one output may override {@link #forward(Tensor)} instead. */
    public Object forward(Tensor... inputs) {
        if (inputs.length != 1) {
            throw new KilnException(getClass().getSimpleName() + ".forward: expected 1 input, found " + inputs.length);
        }
        return forward(inputs[0]);
    }

    /** The single-input form; the default throws, so a module overrides one of the two forms. */
    public Tensor forward(Tensor input) {
        throw new KilnException(getClass().getSimpleName() + " does not implement forward(Tensor)");
    }

    /** Calls {@link #forward(Tensor)} (like {@code module(x)} in PyTorch). */
    public Tensor call(Tensor input) { return forward(input); }

    // ---------------------------------------------------------------- registration

    /**
     * Registers a parameter under {@code name} (no dots) and returns it. {@code null} registers an absent one. A
     * floating parameter is marked to require grad, as a PyTorch {@code nn.Parameter} is.
     */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        if (value != null && value.dtype().isFloatingPoint()) value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a buffer (state that is saved but not trained, e.g. running statistics). */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a submodule and returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": a member name must be non-empty and "
                    + "contain no '.', found '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": '" + name + "' is already registered");
        }
    }

    /** The current value of this module's own parameter {@code name}. */
    protected final Tensor param(String name) {
        if (!parameters.containsKey(name)) {
            throw new KilnException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        }
        return parameters.get(name);
    }

    /** The current value of this module's own buffer {@code name}. */
    protected final Tensor buffer(String name) {
        if (!buffers.containsKey(name)) {
            throw new KilnException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        }
        return buffers.get(name);
    }

    // ---------------------------------------------------------------- traversal

    /** Every parameter of this module and its descendants by dotted path, in registration order (absent ones skipped). */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** Every buffer by dotted path. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /** Parameters and buffers by dotted path, with PyTorch's {@code state_dict} key names and order. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    public final List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Direct submodules by name. */
    public final Map<String, Module> namedChildren() { return Collections.unmodifiableMap(children); }

    /** This module and every descendant by dotted path ("" for this one), depth-first in registration order. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        for (Map.Entry<String, Module> c : children.entrySet()) {
            c.getValue().collectModules(prefix.isEmpty() ? c.getKey() : prefix + "." + c.getKey(), out);
        }
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        // PyTorch's state_dict order: own parameters, own buffers, then each child in turn.
        if (params) {
            for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
                if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
            }
        }
        if (bufs) {
            for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
                if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, Module> c : children.entrySet()) {
            c.getValue().collect(prefix + c.getKey() + ".", out, params, bufs);
        }
    }

    /**
     * Replaces the parameter or buffer at dotted path {@code key} with {@code value}, which must have the same
     * shape and dtype as the one registered. Used by state-dict loading.
     */
    public final void setTensor(String key, Tensor value) {
        int dot = key.indexOf('.');
        if (dot >= 0) {
            Module child = children.get(key.substring(0, dot));
            if (child == null) throw new KilnException("unknown state-dict key '" + key + "'");
            child.setTensor(key.substring(dot + 1), value);
            return;
        }
        Map<String, Tensor> slot = parameters.containsKey(key) ? parameters : buffers.containsKey(key) ? buffers : null;
        if (slot == null || slot.get(key) == null) throw new KilnException("unknown state-dict key '" + key + "'");
        Tensor old = slot.get(key);
        if (old.dtype() != value.dtype() || !java.util.Arrays.equals(old.shape(), value.shape())) {
            throw new KilnException("state-dict key '" + key + "': expected " + old.dtype() + " "
                    + java.util.Arrays.toString(old.shape()) + ", found " + value.dtype() + " "
                    + java.util.Arrays.toString(value.shape()));
        }
        // A replaced parameter keeps its requires-grad flag, as PyTorch's in-place load does.
        if (slot == parameters && old.requiresGrad() && !value.requiresGrad()) value.requiresGrad(true);
        slot.put(key, value);
    }

    /**
     * Copies the values of {@code stateDict} into this module's parameters and buffers, as PyTorch's
     * {@code load_state_dict}. Every key is checked before anything changes: missing keys, unexpected keys (both
     * only when {@code strict}), and shape or dtype mismatches (always) are all reported at once in one
     * {@link KilnException} listing each offending key with what was expected and found; after an error the module
     * is unchanged. Values are copied, so the module shares no storage with {@code stateDict}.
     *
     * @return the missing and unexpected keys a non-strict load tolerated (empty after a strict load)
     */
    public final IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
        return StateDictLoader.load(this, stateDict, strict);
    }

    /** A strict {@link #loadStateDict(Map, boolean)}. */
    public final IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict) {
        return loadStateDict(stateDict, true);
    }

    // ---------------------------------------------------------------- modes

    /** Sets training mode on this module and every descendant; returns this. */
    public Module train(boolean mode) {
        training = mode;
        for (Module c : children.values()) c.train(mode);
        return this;
    }

    public Module train() { return train(true); }

    /** Evaluation mode: dropout off, batch norm uses running statistics. */
    public Module eval() { return train(false); }

    public boolean isTraining() { return training; }
}
