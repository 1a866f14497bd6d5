package dev.kiln.ir.sym;

/**
 * An indivisible factor of a {@link SymExpr} monomial: a size symbol ({@code B}) or a floor division that did not
 * simplify ({@code floordiv(B+1, 2)}).
 *
 * <p>Atoms are ordered by their canonical text, which is unique per atom (a symbol name cannot start with
 * {@code floordiv(}); that order fixes the canonical form of monomials.
 */
sealed interface Atom extends Comparable<Atom> permits Atom.Symbol, Atom.FloorDiv {

    /** The canonical text of the atom. */
    String render();

    /** The atom's value under {@code bindings}; throws naming an unbound symbol. */
    long eval(java.util.Map<String, Long> bindings);

    @Override
    default int compareTo(Atom o) { return render().compareTo(o.render()); }

    /** A size symbol such as {@code B} or {@code seq}. */
    record Symbol(String name) implements Atom {
        @Override
        public String render() { return name; }

        /** As a record's, written out: see {@link dev.kiln.ir.graph.Use#equals}. */
        @Override
        public boolean equals(Object o) { return o instanceof Symbol s && name.equals(s.name); }

        @Override
        public int hashCode() { return name.hashCode(); }

        @Override
        public long eval(java.util.Map<String, Long> bindings) {
            Long v = bindings.get(name);
            if (v == null) {
                throw new IllegalArgumentException("symbol '" + name + "' has no binding; bound: "
                        + new java.util.TreeMap<>(bindings).keySet());
            }
            return v;
        }
    }

    /**
     * {@code floor(numerator / divisor)} for a positive constant divisor, kept only when it cannot be simplified:
     * the numerator is not constant and each of its coefficients is already reduced modulo the divisor.
     */
    record FloorDiv(SymExpr numerator, long divisor) implements Atom {
        @Override
        public String render() { return "floordiv(" + numerator + ", " + divisor + ")"; }

        @Override
        public long eval(java.util.Map<String, Long> bindings) {
            return Math.floorDiv(numerator.eval(bindings), divisor);
        }
    }
}
