package dev.kiln.codegen.ptx.asm;

/**
 * The module header: PTX ISA version and target architecture.
 *
 * <p>Invariants checked here: the ISA version is at most 9.0 (what the CUDA 13.0 {@code ptxas} and the
 * lent machines' 580 drivers accept) and at least 7.0 (needed for {@code mma.sync ... tf32},
 * {@code max.NaN} and {@code cvt.rna.tf32}); the architecture is {@code sm_80} or newer. A module must be
 * assembled with an {@code -arch} at least its {@code .target}.
 */
public record PtxTarget(int isaMajor, int isaMinor, int sm) {
    /** {@code .version 8.0}, {@code .target sm_80}: runs on Ampere and every later GPU (JIT by the driver). */
    public static final PtxTarget SM80 = new PtxTarget(8, 0, 80);
    /** {@code .version 8.0}, {@code .target sm_90}: Hopper. */
    public static final PtxTarget SM90 = new PtxTarget(8, 0, 90);

    public PtxTarget {
        int isa = isaMajor * 10 + isaMinor;
        if (isaMinor < 0 || isaMinor > 9 || isa < 70 || isa > 90) {
            throw new IllegalArgumentException("PTX ISA version: expected 7.0 to 9.0, found " + isaMajor + "." + isaMinor);
        }
        if (sm < 80) throw new IllegalArgumentException("PTX target: expected sm_80 or newer, found sm_" + sm);
    }

    /** The three header directives, each on its own line. */
    public String header() {
        return ".version " + isaMajor + "." + isaMinor + "\n.target sm_" + sm + "\n.address_size 64\n";
    }
}
