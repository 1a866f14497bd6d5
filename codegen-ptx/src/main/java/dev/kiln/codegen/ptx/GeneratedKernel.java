package dev.kiln.codegen.ptx;

/**
 * A kernel specialised to its shapes, with the launch that covers them. Parameters are the device pointers of
 * the kernel's operands in the order its spec documents.
 */
public record GeneratedKernel(PtxKernel kernel, LaunchConfig launch) {}
