package dev.kiln.codegen.ptx.alu;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;

/** Emits one {@link ScalarOp} on {@code f32} registers and returns the fresh {@code f32} register holding the result. */
@FunctionalInterface
public interface ScalarLowering {
    Reg emit(PtxBuilder b, Reg[] args);
}
