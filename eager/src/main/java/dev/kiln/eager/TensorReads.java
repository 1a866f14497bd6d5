package dev.kiln.eager;

/**
 * Where Java code learns something from a tensor without an op: its sizes ({@link Tensor#size}, {@link
 * Tensor#shape}) and its element values ({@link Tensor#item}, {@link Tensor#itemBool}, element and array reads).
 * A tracer observes these on its thread: sizes keep their symbolic provenance, and element values become guards,
 * because Java control flow may depend on them.
 *
 * <p>Observers are per thread and nest like {@link Dispatcher#intercept} scopes; with none installed each hook is
 * one thread-local read.
 */
public final class TensorReads {
    private static final ThreadLocal<Observer> CURRENT = new ThreadLocal<>();

    private TensorReads() {}

    /** Receives the reads of one thread. All methods default to doing nothing. */
    public interface Observer {
        /** {@code t.size(dim)} returned {@code value} ({@code dim} already wrapped to be non-negative). */
        default void sizeRead(Tensor t, int dim, long value) {}

        /** {@code t.shape()} returned {@code shape}. */
        default void shapeRead(Tensor t, long[] shape) {}

        /**
         * Java read the element of {@code t} at {@code index} (empty for {@code item()} of a one-element tensor) as
         * {@code value}: a {@link Boolean}, {@link Long} or {@link Double}.
         */
        default void elementRead(Tensor t, long[] index, Object value) {}

        /** Java read every element of {@code t} at once (e.g. {@code toFloatArray()}). */
        default void bulkRead(Tensor t, String how) {}
    }

    /** Installs {@code observer} on this thread until the scope is closed; scopes must close in reverse order. */
    public static Dispatcher.Scope observe(Observer observer) {
        Observer previous = CURRENT.get();
        CURRENT.set(observer);
        return () -> {
            if (CURRENT.get() != observer) throw new IllegalStateException("tensor-read observers closed out of order");
            CURRENT.set(previous);
        };
    }

    /**
     * Runs {@code body} with no observer on this thread: for reads that are the system's own business (a kernel
     * reading sizes, an interpreter checking a guard), not the traced program's.
     */
    public static <T> T unobserved(java.util.function.Supplier<T> body) {
        Observer previous = CURRENT.get();
        CURRENT.set(null);
        try {
            return body.get();
        } finally {
            CURRENT.set(previous);
        }
    }

    static long size(Tensor t, int dim, long value) {
        Observer o = CURRENT.get();
        if (o != null) o.sizeRead(t, dim, value);
        return value;
    }

    static long[] shape(Tensor t, long[] shape) {
        Observer o = CURRENT.get();
        if (o != null) o.shapeRead(t, shape.clone());
        return shape;
    }

    static <V> V element(Tensor t, long[] index, V value) {
        Observer o = CURRENT.get();
        if (o != null) o.elementRead(t, index.clone(), value);
        return value;
    }

    static void bulk(Tensor t, String how) {
        Observer o = CURRENT.get();
        if (o != null) o.bulkRead(t, how);
    }
}
