/**
 * Kernel IR to PTX text and the JCuda executor (issue: codegen-ptx).
 *
 * <p>Not built yet: this package holds the module's place in the build and its dependencies.
 */
package dev.kiln.codegen.ptx;
