/**
 * The .kiln archive format (issue: archive, runtime loader and CLI).
 *
 * <p>Not built yet: this package holds the module's place in the build and its dependencies.
 */
package dev.kiln.serialization;
