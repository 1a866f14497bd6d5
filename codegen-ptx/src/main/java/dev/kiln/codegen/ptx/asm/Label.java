package dev.kiln.codegen.ptx.asm;

/** A branch target, unique within one {@link PtxBuilder}; bound exactly once with {@link PtxBuilder#bind}. */
public record Label(String name) {
    @Override
    public String toString() { return name; }
}
