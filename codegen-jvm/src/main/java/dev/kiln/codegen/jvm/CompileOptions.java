package dev.kiln.codegen.jvm;

import java.nio.file.Path;

/**
 * Options of {@link JvmCompiler#compile}.
 *
 * @param dumpDir when not null, each generated class is written there as {@code <name>.class} and its Textifier
 *                listing as {@code <name>.txt} (a debugging aid)
 * @param verify  run ASM's {@code CheckClassAdapter} verifier on every generated class before loading it
 * @param loops   which loop bodies fusion groups get: {@link Loops#AUTO} (default) vector loops when the JVM was
 *                started with {@code --add-modules jdk.incubator.vector}, else the scalar/chunked loops
 */
public record CompileOptions(Path dumpDir, boolean verify, Loops loops) {
    /** How generated loops compute (docs/codegen-jvm.md). */
    public enum Loops {
        /** {@link #VECTOR} when {@code jdk.incubator.vector} is in the boot layer, else {@link #SCALAR}. */
        AUTO,
        /** Vector API loops ({@code FloatVector}); compiling fails when the module is absent. */
        VECTOR,
        /** Scalar flat loops and chunked loops over FastMath32 array helpers: no incubator module needed. */
        SCALAR
    }

    public CompileOptions {
        if (loops == null) {
            throw new IllegalArgumentException("CompileOptions.loops: expected AUTO, VECTOR or SCALAR, found null");
        }
    }

    public static CompileOptions defaults() { return new CompileOptions(null, false, Loops.AUTO); }

    public CompileOptions withDump(Path dir) { return new CompileOptions(dir, verify, loops); }

    public CompileOptions withVerify(boolean v) { return new CompileOptions(dumpDir, v, loops); }

    public CompileOptions withLoops(Loops l) { return new CompileOptions(dumpDir, verify, l); }
}
