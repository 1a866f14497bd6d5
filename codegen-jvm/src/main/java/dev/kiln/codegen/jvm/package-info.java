/**
 * The JVM back end: an optimised graph becomes one class written with ASM ({@link dev.kiln.codegen.jvm.JvmCompiler}).
 * Fusion groups' kernel IR becomes loops over primitive arrays shaped for C2's auto-vectoriser
 * ({@link dev.kiln.codegen.jvm.LoopPlan}, {@link dev.kiln.codegen.jvm.LoopEmitter}); the graph becomes straight-line
 * code calling {@link dev.kiln.codegen.jvm.KilnKernels} for everything else. See {@code docs/codegen-jvm.md}.
 */
package dev.kiln.codegen.jvm;
