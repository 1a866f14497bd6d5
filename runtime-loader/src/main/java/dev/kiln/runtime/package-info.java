/**
 * Loading and running archives with no model source; the CLI and server (later issues).
 *
 * <p>Not built yet: this package holds the module's place in the build and its dependencies.
 */
package dev.kiln.runtime;
