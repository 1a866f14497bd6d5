package dev.kiln.codegen.ptx.asm;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the text of a PTX module holding one {@code .entry} kernel.
 *
 * <p>Protocol: declare parameters ({@link #param}) and shared arrays ({@link #shared}) at any time, make
 * registers with {@link #reg} (never by hand: the builder declares exactly the registers it handed out),
 * append instructions with {@link #op}/{@link #opIf}, make labels with {@link #label} and bind each once with
 * {@link #bind}; then call {@link #build()} once. {@code build} refuses a label that was branched to but never
 * bound, so a generator bug shows here, not as a {@code ptxas} error.
 *
 * <p>Operands are rendered by {@link #operand}: registers and labels by name, {@code Integer}/{@code Long} in
 * decimal, {@code Float} as the exact {@code 0fXXXXXXXX} bit pattern, {@code Double} as {@code 0dXXXXXXXXXXXXXXXX},
 * strings verbatim (addresses, vector braces, special registers).
 */
public final class PtxBuilder {
    private final PtxTarget target;
    private final String entry;
    private final List<String> params = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final List<String> sharedDecls = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private final Map<RegClass, Integer> counts = new EnumMap<>(RegClass.class);
    private final Set<String> boundLabels = new HashSet<>();
    private final Set<String> usedLabels = new HashSet<>();
    private int labelCount;
    private int maxThreads;
    private boolean built;

    public PtxBuilder(PtxTarget target, String entry) {
        if (!entry.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("kernel name: expected a C identifier, found '" + entry + "'");
        }
        this.target = target;
        this.entry = entry;
    }

    public String entryName() { return entry; }

    // ---- declarations ----

    /** Declares {@code .maxntid threads, 1, 1}: the kernel is never launched with more, which lets ptxas budget registers. */
    public void maxThreads(int threads) { this.maxThreads = threads; }

    /** Declares a kernel parameter of a PTX type ({@code u64}, {@code u32}, {@code f32}) and returns its name. */
    public String param(String name, String type) {
        claim(name);
        params.add(".param ." + type + " " + name);
        return name;
    }

    /** Declares a parameter and loads it into a fresh register of {@code cls}. */
    public Reg loadParam(String name, String type, RegClass cls) {
        param(name, type);
        Reg r = reg(cls);
        op("ld.param." + type, r, "[" + name + "]");
        return r;
    }

    /** Declares {@code .shared .align align .b8 name[bytes]} and returns the name. */
    public String shared(String name, int align, int bytes) {
        claim(name);
        if (bytes <= 0) throw new IllegalArgumentException("shared array " + name + ": expected bytes > 0, found " + bytes);
        sharedDecls.add(".shared .align " + align + " .b8 " + name + "[" + bytes + "];");
        return name;
    }

    /** A fresh register of the class. */
    public Reg reg(RegClass cls) {
        int i = counts.getOrDefault(cls, 0);
        counts.put(cls, i + 1);
        return new Reg(cls, i);
    }

    public Reg pred() { return reg(RegClass.PRED); }
    public Reg r32() { return reg(RegClass.R32); }
    public Reg r64() { return reg(RegClass.R64); }
    public Reg f32() { return reg(RegClass.F32); }

    /** A fresh label; the hint (letters, digits, underscores) makes the text readable. */
    public Label label(String hint) {
        return new Label("$L_" + hint + "_" + labelCount++);
    }

    // ---- instructions ----

    /** Appends {@code opcode operand, ...;}. */
    public void op(String opcode, Object... operands) {
        line(opcode, operands);
    }

    /** Appends {@code @p opcode ...;} ({@code @!p} when {@code negated}). */
    public void opIf(Reg pred, boolean negated, String opcode, Object... operands) {
        requireClass(pred, RegClass.PRED);
        body.append('\t').append(negated ? "@!" : "@").append(pred).append(' ');
        appendInstruction(opcode, operands);
    }

    /** Unconditional branch. */
    public void bra(Label target) {
        usedLabels.add(target.name());
        op("bra.uni", target);
    }

    /** Branch taken when {@code pred} is true ({@code negated}: when false). */
    public void braIf(Reg pred, boolean negated, Label target) {
        usedLabels.add(target.name());
        opIf(pred, negated, "bra", target);
    }

    /** Binds a label to the next instruction. */
    public void bind(Label label) {
        if (!boundLabels.add(label.name())) throw new IllegalStateException("label bound twice: " + label);
        body.append(label).append(":\n");
    }

    /** A {@code //} comment line, for people reading the text. */
    public void comment(String text) {
        body.append("\t// ").append(text).append('\n');
    }

    /** A 64-bit global address operand {@code [base+offset]}. */
    public static String addr(Reg base, long byteOffset) {
        return byteOffset == 0 ? "[" + base + "]" : "[" + base + "+" + byteOffset + "]";
    }

    /** A vector operand {@code {a, b, ...}}. */
    public static String vec(Reg... regs) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < regs.length; i++) s.append(i == 0 ? "" : ", ").append(regs[i]);
        return s.append('}').toString();
    }

    /** Renders one operand (see the class comment). */
    public static String operand(Object o) {
        if (o instanceof Float f) return String.format("0f%08X", Float.floatToRawIntBits(f));
        if (o instanceof Double d) return String.format("0d%016X", Double.doubleToRawLongBits(d));
        if (o instanceof Reg || o instanceof Label || o instanceof String || o instanceof Integer || o instanceof Long) {
            return o.toString();
        }
        throw new IllegalArgumentException("PTX operand: expected Reg, Label, String, Integer, Long, Float or Double, found "
                + (o == null ? "null" : o.getClass().getName()));
    }

    // ---- output ----

    /** The whole module text. Call once. */
    public String build() {
        if (built) throw new IllegalStateException("PtxBuilder.build called twice for " + entry);
        built = true;
        for (String l : usedLabels) {
            if (!boundLabels.contains(l)) throw new IllegalStateException("kernel " + entry + ": label " + l + " never bound");
        }
        StringBuilder s = new StringBuilder();
        s.append("// Generated by Kiln codegen-ptx. Do not edit.\n");
        s.append(target.header()).append('\n');
        s.append(".visible .entry ").append(entry).append("(\n");
        for (int i = 0; i < params.size(); i++) {
            s.append('\t').append(params.get(i)).append(i + 1 < params.size() ? ",\n" : "\n");
        }
        s.append(")\n");
        if (maxThreads > 0) s.append(".maxntid ").append(maxThreads).append(", 1, 1\n");
        s.append("{\n");
        for (RegClass c : RegClass.values()) {
            Integer n = counts.get(c);
            if (n != null) s.append("\t.reg ").append(c.declType()).append(' ').append(c.prefix()).append('<').append(n).append(">;\n");
        }
        for (String d : sharedDecls) s.append('\t').append(d).append('\n');
        s.append('\n').append(body).append("\tret;\n}\n");
        return s.toString();
    }

    private void line(String opcode, Object[] operands) {
        body.append('\t');
        appendInstruction(opcode, operands);
    }

    private void appendInstruction(String opcode, Object[] operands) {
        body.append(opcode);
        for (int i = 0; i < operands.length; i++) body.append(i == 0 ? " " : ", ").append(operand(operands[i]));
        body.append(";\n");
    }

    private void claim(String name) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException("PTX name: expected an identifier, found '" + name + "'");
        if (!names.add(name)) throw new IllegalArgumentException("PTX name declared twice: " + name);
    }

    static void requireClass(Reg r, RegClass cls) {
        if (r.cls() != cls) throw new IllegalArgumentException("register " + r + ": expected class " + cls + ", found " + r.cls());
    }
}
