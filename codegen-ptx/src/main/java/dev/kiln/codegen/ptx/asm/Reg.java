package dev.kiln.codegen.ptx.asm;

/**
 * A virtual register: class and index within the class. Only {@link PtxBuilder} creates them, so every
 * register a kernel uses is declared by the builder that made it.
 */
public record Reg(RegClass cls, int index) {
    @Override
    public String toString() { return cls.prefix() + index; }
}
