package dev.kiln.ir.verify;

import dev.kiln.ir.IrException;
import dev.kiln.ir.graph.Node;

/** A graph that breaks an IR invariant. The message names the node and quotes it among its neighbours. */
public final class VerifyException extends IrException {
    private final transient Node node;

    VerifyException(String message, Node node) {
        super(message);
        this.node = node;
    }

    /** The offending node (a block's return node for result errors), or null for graph-level errors. */
    public Node node() { return node; }
}
