package dev.kiln.ir.sym;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A product of atoms with multiplicity ({@code B*B*S}), kept sorted so that equal products are equal objects.
 * The empty product {@link #ONE} is the monomial of the constant term.
 *
 * <p>Ordering (the order terms print in): higher degree first, then atom by atom in text order; {@code ONE} last.
 */
final class Monomial implements Comparable<Monomial> {
    static final Monomial ONE = new Monomial(List.of());

    private final List<Atom> atoms;

    private Monomial(List<Atom> sortedAtoms) { this.atoms = sortedAtoms; }

    static Monomial of(Atom atom) { return new Monomial(List.of(atom)); }

    List<Atom> atoms() { return atoms; }

    boolean isOne() { return atoms.isEmpty(); }

    Monomial times(Monomial o) {
        if (o.isOne()) return this;
        if (isOne()) return o;
        List<Atom> all = new ArrayList<>(atoms);
        all.addAll(o.atoms);
        Collections.sort(all);
        return new Monomial(List.copyOf(all));
    }

    /** {@code this / o} when every atom of {@code o} occurs in {@code this} (with multiplicity), else null. */
    Monomial dividedBy(Monomial o) {
        List<Atom> rest = new ArrayList<>(atoms);
        for (Atom a : o.atoms) {
            if (!rest.remove(a)) return null;
        }
        return new Monomial(List.copyOf(rest));
    }

    long eval(Map<String, Long> bindings) {
        long v = 1;
        for (Atom a : atoms) v = Math.multiplyExact(v, a.eval(bindings));
        return v;
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        for (Atom a : atoms) {
            if (sb.length() > 0) sb.append('*');
            sb.append(a.render());
        }
        return sb.toString();
    }

    @Override
    public int compareTo(Monomial o) {
        if (atoms.size() != o.atoms.size()) return Integer.compare(o.atoms.size(), atoms.size());
        for (int i = 0; i < atoms.size(); i++) {
            int c = atoms.get(i).compareTo(o.atoms.get(i));
            if (c != 0) return c;
        }
        return 0;
    }

    @Override
    public boolean equals(Object o) { return o instanceof Monomial m && m.atoms.equals(atoms); }

    @Override
    public int hashCode() { return atoms.hashCode(); }

    @Override
    public String toString() { return render(); }
}
