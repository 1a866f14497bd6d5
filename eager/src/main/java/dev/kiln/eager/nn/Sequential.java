package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Modules applied in order, each to the previous one's output, as {@code torch.nn.Sequential}. Children are
 * named {@code "0"}, {@code "1"}, ... so state-dict keys are {@code 0.weight}, {@code 1.running_mean}, ...
 */
public class Sequential extends Module implements Iterable<Module> {
    private final List<Module> modules = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) append(m);
    }

    /** Adds {@code module} at the end, named by its position; returns this. */
    public Sequential append(Module module) {
        if (module == null) throw new KilnException("Sequential: expected a module, found null");
        registerModule(Integer.toString(modules.size()), module);
        modules.add(module);
        return this;
    }

    /** The module at {@code index} (negative counts from the end, as in Python). */
    public Module get(int index) { return modules.get(ModuleList.wrapIndex("Sequential", index, modules.size())); }

    public int size() { return modules.size(); }

    @Override
    public Iterator<Module> iterator() { return Collections.unmodifiableList(modules).iterator(); }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : modules) x = m.forward(x);
        return x;
    }

    @Override
    public String toString() { return Repr.container("Sequential", namedChildren()); }
}
