package dev.kiln.passes.kernel;

import dev.kiln.ir.graph.Node;

/**
 * A fusion group lowered: for an epilogue group, the anchor op (linear, matmul, conv2d; a library call whose result
 * is the kernel's operand {@code anchorOperand}) and the loop kernel of its epilogue; for a loop group, only the
 * kernel ({@code anchor} null, {@code anchorOperand} -1).
 */
public record LoweredGroup(Node anchor, int anchorOperand, Kernel kernel) {
}
