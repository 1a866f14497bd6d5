package dev.kiln.passes.kernel;

import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.type.TensorType;

/**
 * One tensor a kernel reads: a group input, or a small constant of the group. Its dims align with the kernel's
 * domain from the right (numpy broadcasting); a dim of size 1 where the domain is larger is read with stride 0.
 *
 * @param name     for printing
 * @param type     its type
 * @param constant its data when it is a constant of the group, else null (passed in at run time)
 */
public record Operand(String name, TensorType type, TensorData constant) {
}
