package dev.kiln.codegen.jvm;

import java.nio.file.Path;

/**
 * Options of {@link JvmCompiler#compile}.
 *
 * @param dumpDir when not null, each generated class is written there as {@code <name>.class} and its Textifier
 *                listing as {@code <name>.txt} (a debugging aid)
 * @param verify  run ASM's {@code CheckClassAdapter} verifier on every generated class before loading it
 */
public record CompileOptions(Path dumpDir, boolean verify) {
    public static CompileOptions defaults() { return new CompileOptions(null, false); }

    public CompileOptions withDump(Path dir) { return new CompileOptions(dir, verify); }

    public CompileOptions withVerify(boolean v) { return new CompileOptions(dumpDir, v); }
}
