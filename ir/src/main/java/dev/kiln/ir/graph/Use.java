package dev.kiln.ir.graph;

/** One use of a value: input {@code index} of {@code user} (a return node's inputs are its block's results). */
public record Use(Node user, int index) {
}
