package dev.kiln.eager;

import java.util.SplittableRandom;

/**
 * A seeded source of random numbers for {@code rand}, {@code randn}, dropout and parameter initialisation.
 *
 * <p>The same seed gives the same sequence on every JVM (the algorithm is {@link SplittableRandom}'s, which is
 * specified). The numbers are not PyTorch's: models that must match PyTorch load PyTorch's weights. Not
 * thread-safe; the {@linkplain #global() global generator} is guarded by its own lock.
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(20261121L);

    private SplittableRandom random;
    private long seed;
    private double spareNormal = Double.NaN;

    public Generator(long seed) { manualSeed(seed); }

    /** The generator used when none is given, like PyTorch's default CPU generator. */
    public static Generator global() { return GLOBAL; }

    /** Restarts the sequence from {@code seed}. */
    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.spareNormal = Double.NaN;
        return this;
    }

    public synchronized long initialSeed() { return seed; }

    /** Uniform on [0, 1). */
    public synchronized double nextUniform() { return random.nextDouble(); }

    /** A long seed drawn from this generator (to give a kernel its own reproducible stream). */
    public synchronized long nextSeed() { return random.nextLong(); }

    /** Standard normal, by the Box–Muller transform (pairs are used both). */
    public synchronized double nextNormal() {
        if (!Double.isNaN(spareNormal)) {
            double s = spareNormal;
            spareNormal = Double.NaN;
            return s;
        }
        double u1;
        do {
            u1 = random.nextDouble();
        } while (u1 <= 0);
        double u2 = random.nextDouble();
        double r = Math.sqrt(-2 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }
}
