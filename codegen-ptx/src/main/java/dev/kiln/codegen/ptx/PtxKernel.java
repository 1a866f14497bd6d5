package dev.kiln.codegen.ptx;

/**
 * The text of one PTX module and the name of its single {@code .entry}. The text is what
 * {@code cuModuleLoadData} receives (null-terminated by the loader) and what {@code ptxas} checks in tests.
 */
public record PtxKernel(String name, String ptx) {
    public PtxKernel {
        if (!ptx.contains(".entry " + name + "(")) {
            throw new IllegalArgumentException("PTX text does not define entry '" + name + "'");
        }
    }
}
