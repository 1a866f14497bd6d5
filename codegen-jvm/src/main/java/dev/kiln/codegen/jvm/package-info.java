/**
 * Kernel IR and graphs to JVM bytecode with ASM (issue: codegen-jvm).
 *
 * <p>Not built yet: this package holds the module's place in the build and its dependencies.
 */
package dev.kiln.codegen.jvm;
