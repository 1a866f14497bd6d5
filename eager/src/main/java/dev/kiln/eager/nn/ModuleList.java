package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A list of submodules that registers each one, as {@code torch.nn.ModuleList}: children are named {@code "0"},
 * {@code "1"}, ... in insertion order. It has no forward of its own; the owning module iterates it.
 */
public class ModuleList extends Module implements Iterable<Module> {
    private final List<Module> modules = new ArrayList<>();

    public ModuleList(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends {@code module}, named by its position; returns this. */
    public ModuleList add(Module module) {
        if (module == null) throw new KilnException("ModuleList: expected a module, found null");
        registerModule(Integer.toString(modules.size()), module);
        modules.add(module);
        return this;
    }

    /** The module at {@code index} (negative counts from the end, as in Python). */
    public Module get(int index) { return modules.get(wrapIndex("ModuleList", index, modules.size())); }

    public int size() { return modules.size(); }

    @Override
    public Iterator<Module> iterator() { return Collections.unmodifiableList(modules).iterator(); }

    @Override
    public String toString() { return Repr.container("ModuleList", namedChildren()); }

    static int wrapIndex(String where, int index, int size) {
        if (index < -size || index >= size) {
            throw new KilnException(where + ": expected an index in [" + (-size) + ", " + size + "), found " + index);
        }
        return index < 0 ? index + size : index;
    }
}
