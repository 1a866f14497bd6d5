package dev.kiln.codegen.ptx.asm;

/**
 * The register files a kernel declares, one {@code .reg} line each, with the name prefix PTX programs
 * conventionally use ({@code %p}, {@code %r}, {@code %rd}, {@code %f}, {@code %fd}).
 *
 * <p>32-bit integers of any signedness share {@link #R32}: PTX types the instruction, not the register,
 * within a size class, so one untyped {@code .b32} file keeps the declarations short.
 */
public enum RegClass {
    PRED(".pred", "%p"),
    R32(".b32", "%r"),
    R64(".b64", "%rd"),
    F32(".f32", "%f"),
    F64(".f64", "%fd");

    private final String declType;
    private final String prefix;

    RegClass(String declType, String prefix) {
        this.declType = declType;
        this.prefix = prefix;
    }

    /** The type written in the {@code .reg} declaration. */
    public String declType() { return declType; }

    /** The register name prefix, e.g. {@code %rd}. */
    public String prefix() { return prefix; }
}
