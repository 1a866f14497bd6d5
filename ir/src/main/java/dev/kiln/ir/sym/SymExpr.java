package dev.kiln.ir.sym;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A tensor dimension: an integer, a size symbol ({@code B}), or an integer polynomial over symbols with floor
 * division by positive constants ({@code B*16}, {@code B+1}, {@code floordiv(H+1, 2)+1}).
 *
 * <p>Canonical form (invariant of every instance): a sum of terms {@code coefficient * monomial} with no zero
 * coefficient and each monomial at most once; monomials are sorted products of atoms; a {@code floordiv} atom has
 * a non-constant numerator whose coefficients are reduced modulo its divisor. Two expressions that are equal as
 * polynomials are therefore {@link #equals equal} and print the same: {@code 16*B} and {@code B*16} both print
 * {@code B*16}. Constants fold on construction, so an expression without symbols is always a plain integer.
 *
 * <p>Instances are immutable. Arithmetic overflows throw {@link ArithmeticException}.
 */
public final class SymExpr {
    private static final SymExpr ZERO = new SymExpr(new TreeMap<>());

    /** Non-zero coefficient per monomial; the constant term is under {@link Monomial#ONE}. */
    private final SortedMap<Monomial, Long> terms;
    private final String text;

    private SymExpr(SortedMap<Monomial, Long> terms) {
        this.terms = Collections.unmodifiableSortedMap(terms);
        this.text = render(this.terms);
    }

    /** The integer {@code value}. */
    public static SymExpr of(long value) {
        if (value == 0) return ZERO;
        TreeMap<Monomial, Long> t = new TreeMap<>();
        t.put(Monomial.ONE, value);
        return new SymExpr(t);
    }

    /** The size symbol {@code name}, an identifier such as {@code B} or {@code seq_len}. */
    public static SymExpr symbol(String name) {
        if (!isIdentifier(name) || name.equals("floordiv")) {
            throw new IllegalArgumentException("bad symbol name '" + name + "': expected an identifier "
                    + "([A-Za-z_][A-Za-z0-9_]*) other than 'floordiv'");
        }
        return ofAtom(new Atom.Symbol(name));
    }

    private static SymExpr ofAtom(Atom atom) {
        TreeMap<Monomial, Long> t = new TreeMap<>();
        t.put(Monomial.of(atom), 1L);
        return new SymExpr(t);
    }

    /** Whether {@code s} can name a symbol. */
    public static boolean isIdentifier(String s) {
        if (s.isEmpty() || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) return false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_'))) return false;
        }
        return s.charAt(0) < 128;
    }

    // ---- queries ----

    public boolean isConstant() { return terms.isEmpty() || (terms.size() == 1 && terms.containsKey(Monomial.ONE)); }

    /** The value of a constant expression; throws when the expression has symbols. */
    public long constant() {
        if (!isConstant()) throw new IllegalStateException("'" + text + "' is not a constant");
        return terms.getOrDefault(Monomial.ONE, 0L);
    }

    /** Whether this is the constant {@code value}. */
    public boolean isConstant(long value) { return isConstant() && constant() == value; }

    /** Every symbol the expression mentions, sorted. */
    public Set<String> symbols() {
        Set<String> out = new TreeSet<>();
        collectSymbols(out);
        return out;
    }

    private void collectSymbols(Set<String> out) {
        for (Monomial m : terms.keySet()) {
            for (Atom a : m.atoms()) {
                if (a instanceof Atom.Symbol s) out.add(s.name());
                else ((Atom.FloorDiv) a).numerator().collectSymbols(out);
            }
        }
    }

    /** The value under {@code bindings} (symbol name to size); throws naming an unbound symbol. */
    public long eval(Map<String, Long> bindings) {
        long v = 0;
        for (Map.Entry<Monomial, Long> e : terms.entrySet()) {
            v = Math.addExact(v, Math.multiplyExact(e.getValue(), e.getKey().eval(bindings)));
        }
        return v;
    }

    /** Replaces symbols by expressions (those not in {@code bindings} stay) and re-canonicalises. */
    public SymExpr substitute(Map<String, SymExpr> bindings) {
        SymExpr out = ZERO;
        for (Map.Entry<Monomial, Long> e : terms.entrySet()) {
            SymExpr term = of(e.getValue());
            for (Atom a : e.getKey().atoms()) {
                SymExpr f;
                if (a instanceof Atom.Symbol s) f = bindings.getOrDefault(s.name(), ofAtom(a));
                else f = ((Atom.FloorDiv) a).numerator().substitute(bindings).floorDiv(((Atom.FloorDiv) a).divisor());
                term = term.times(f);
            }
            out = out.plus(term);
        }
        return out;
    }

    // ---- arithmetic ----

    public SymExpr plus(SymExpr o) {
        TreeMap<Monomial, Long> t = new TreeMap<>(terms);
        for (Map.Entry<Monomial, Long> e : o.terms.entrySet()) addTerm(t, e.getKey(), e.getValue());
        return new SymExpr(t);
    }

    public SymExpr plus(long c) { return plus(of(c)); }

    public SymExpr minus(SymExpr o) { return plus(o.negate()); }

    public SymExpr minus(long c) { return plus(of(Math.negateExact(c))); }

    public SymExpr negate() { return times(-1); }

    public SymExpr times(long c) { return times(of(c)); }

    /** The product, distributed over both sums. */
    public SymExpr times(SymExpr o) {
        TreeMap<Monomial, Long> t = new TreeMap<>();
        for (Map.Entry<Monomial, Long> a : terms.entrySet()) {
            for (Map.Entry<Monomial, Long> b : o.terms.entrySet()) {
                addTerm(t, a.getKey().times(b.getKey()), Math.multiplyExact(a.getValue(), b.getValue()));
            }
        }
        return new SymExpr(t);
    }

    /**
     * {@code floor(this / divisor)} for a positive divisor. Simplifications (each exact for every integer value of
     * the symbols):
     * <ul>
     *   <li>{@code floordiv(c1, c2) => floorDiv(c1, c2)} — constants fold;</li>
     *   <li>{@code floordiv(q*d + r, d) => q + floordiv(r, d)} — every coefficient splits into a multiple of
     *       {@code d} and its remainder modulo {@code d}; so {@code floordiv(B*16, 4) => B*4};</li>
     *   <li>{@code floordiv(floordiv(x, a), b) => floordiv(x, a*b)} — nested divisions merge.</li>
     * </ul>
     */
    public SymExpr floorDiv(long divisor) {
        if (divisor <= 0) {
            throw new IllegalArgumentException("floordiv of '" + text + "' expects a positive divisor, found "
                    + divisor);
        }
        if (divisor == 1) return this;
        TreeMap<Monomial, Long> quotient = new TreeMap<>();
        TreeMap<Monomial, Long> remainder = new TreeMap<>();
        for (Map.Entry<Monomial, Long> e : terms.entrySet()) {
            addTerm(quotient, e.getKey(), Math.floorDiv(e.getValue(), divisor));
            addTerm(remainder, e.getKey(), Math.floorMod(e.getValue(), divisor));
        }
        SymExpr q = new SymExpr(quotient);
        SymExpr r = new SymExpr(remainder);
        if (r.isConstant()) return q.plus(Math.floorDiv(r.constant(), divisor));
        if (r.terms.size() == 1 && r.terms.firstKey().atoms().size() == 1 && r.terms.get(r.terms.firstKey()) == 1
                && r.terms.firstKey().atoms().get(0) instanceof Atom.FloorDiv inner) {
            // floordiv(floordiv(x, a), b) => floordiv(x, a*b)
            return q.plus(inner.numerator().floorDiv(Math.multiplyExact(inner.divisor(), divisor)));
        }
        return q.plus(ofAtom(new Atom.FloorDiv(r, divisor)));
    }

    /** {@code ceil(this / divisor)} for a positive divisor, as {@code floordiv(this + divisor - 1, divisor)}. */
    public SymExpr ceilDiv(long divisor) { return plus(divisor - 1).floorDiv(divisor); }

    /**
     * {@code this / divisor} when the division is exact for every value of the symbols, recognisably: the divisor
     * is a non-zero constant dividing every coefficient, or a single term whose atoms occur in every term of
     * {@code this} and whose coefficient divides every coefficient. Empty otherwise (the quotient may still exist
     * for particular sizes, but not as a polynomial).
     */
    public Optional<SymExpr> divExact(SymExpr divisor) {
        if (divisor.equals(this) && !terms.isEmpty()) return Optional.of(of(1));
        if (divisor.terms.size() != 1) return Optional.empty();
        Monomial dm = divisor.terms.firstKey();
        long dc = divisor.terms.get(dm);
        TreeMap<Monomial, Long> t = new TreeMap<>();
        for (Map.Entry<Monomial, Long> e : terms.entrySet()) {
            Monomial m = e.getKey().dividedBy(dm);
            if (m == null || e.getValue() % dc != 0) return Optional.empty();
            addTerm(t, m, e.getValue() / dc);
        }
        return Optional.of(new SymExpr(t));
    }

    private static void addTerm(TreeMap<Monomial, Long> t, Monomial m, long c) {
        if (c == 0) return;
        long sum = Math.addExact(t.getOrDefault(m, 0L), c);
        if (sum == 0) t.remove(m);
        else t.put(m, sum);
    }

    // ---- canonical text ----

    private static String render(SortedMap<Monomial, Long> terms) {
        if (terms.isEmpty()) return "0";
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Monomial, Long> e : terms.entrySet()) {
            long c = e.getValue();
            if (sb.length() > 0) sb.append(c < 0 ? '-' : '+');
            else if (c < 0) sb.append('-');
            // Long.MIN_VALUE has no positive counterpart; print its digits without the sign.
            String mag = c == Long.MIN_VALUE ? "9223372036854775808" : Long.toString(Math.abs(c));
            Monomial m = e.getKey();
            if (m.isOne()) sb.append(mag);
            else {
                sb.append(m.render());
                if (Math.abs(c) != 1) sb.append('*').append(mag);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) { return o instanceof SymExpr s && s.terms.equals(terms); }

    @Override
    public int hashCode() { return terms.hashCode(); }

    /** The canonical text: {@code 28}, {@code B}, {@code B*16}, {@code B+1}, {@code floordiv(H-1, 2)+1}. */
    @Override
    public String toString() { return text; }
}
