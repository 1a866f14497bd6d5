package dev.kiln.ir.graph;

/** One use of a value: input {@code index} of {@code user} (a return node's inputs are its block's results). */
public record Use(Node user, int index) {
    /**
     * Component-wise, as a record's. Written out rather than left to the record: the generated ones link an invokedynamic call site
     * (ObjectMethods) on first use, about 20 ms of method-handle spinning in a cold JVM loading an archive.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Use u && index == u.index && user.equals(u.user);
    }

    @Override
    public int hashCode() { return 31 * user.hashCode() + index; }
}
