package dev.kiln.codegen.jvm.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Runs, once per JVM and before the first Vector API warm-up ({@code WarmupThread}'s first task), a few rounds of
 * every kind of Vector API operation Kiln's kernels and generated loops use, with operators of several
 * implementation classes mixed from the first call, so that the JDK's <b>shared</b> profiles of those operations are
 * polymorphic before C2 compiles anything from them.
 *
 * <p>Why (found with {@code -XX:+LogCompilation}, {@code -XX:+PrintInlining}; docs/codegen-jvm.md, "The order of
 * Vector API warm-ups"): the Vector API's operations funnel through a few shared JDK methods, e.g.
 * {@code VectorOperators.opKind} and {@code opCode}, which begin with a {@code checkcast} of the operator whose type
 * profile is shared by every caller in the JVM. When the anchors' warm-up ({@code PanelGemm}: {@code add},
 * {@code fma}) and a ReLU epilogue ({@code max}) ran first, C2's standalone code of
 * {@code Float256Vector.lanewise(Binary, Vector)} (which interpreted and C1 code call out of line) was compiled from
 * a profile that had seen only {@code AssociativeImpl} operators, speculated on that class, and trapped four times
 * when a later block's C1 code passed {@code sub}/{@code div} ({@code BinaryImpl}). C2 adds up the traps recorded
 * in the profile of every method it inlines, once per inlining: {@code elementwise_chain}'s block inlines
 * {@code opKind} 66 times, 264 class-check traps, over {@code PerMethodTrapLimit} (100). C2 then gives every
 * profile-predicted call in that compile a real virtual call as its miss path instead of a trap, so a vector's
 * exact class is no longer known past the guard ({@code FloatVector.intoArray}'s {@code vspecies()} bound by type
 * profile instead of statically), the {@code VectorSupport.store} intrinsic failed, the block ran with boxed
 * vectors at ~10x its time and its warm-up gave up. With several operator classes in those profiles from the
 * start, C2 does not speculate there and nothing traps; the kernels' own code is unchanged (their operators are
 * constants at every inlined site, where the profile is not used).
 *
 * <p>It guards against the mechanism seen, not every shared-profile effect: Vector API code that the application
 * (or a test) runs before Kiln's first warm-up can still leave traps of its own. Cost: ~110–140 ms on the warm-up
 * thread in a fresh JVM (2 vCPUs, load ~2), by which the first warm-up starts later; a second call in the same JVM
 * takes 25–60 ms, so the rest is first-use cost (class initialisation, lambda linkage) of the Vector API and
 * {@link VectorMath32}.
 */
public final class VectorProfilePrimer {
    private VectorProfilePrimer() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /**
     * Rounds run. Measured ({@code -XX:+LogCompilation}, the anchor models then {@code elementwise_chain} in one JVM):
     * 16 left class-check traps in the fallback code of {@code VectorSupport.load}/{@code store}, 32 none; twice that
     * for margin (32 more rounds cost ~15–20 ms).
     */
    static final int ROUNDS = 64;

    /**
     * Runs the rounds on the calling thread (the warm-up thread, before any warm-up) and returns a checksum of the
     * results, so that no operation is dead code.
     */
    public static float prime() {
        int n = S.length();
        float[] a = new float[n];
        float[] b = new float[n];
        float[] out = new float[n];
        boolean[] m = new boolean[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.75f + 0.5f * i;
            b[i] = -1.25f + 0.375f * i;
            m[i] = (i & 1) == 0;
        }
        float sum = 0;
        for (int r = 0; r < ROUNDS; r++) {
            sum += round(a, b, m, out);
        }
        return sum;
    }

    /**
     * One round: each line mixes operator classes (Associative, Binary, Unary, Ternary, comparisons, tests and the
     * integer shifts and reinterpretations of {@link VectorMath32}) in the forms the generated code calls: vector and
     * scalar second operands, masks from comparisons and arrays, blends, loads and stores.
     */
    private static float round(float[] a, float[] b, boolean[] m, float[] out) {
        FloatVector x = FloatVector.fromArray(S, a, 0);
        FloatVector y = FloatVector.fromArray(S, b, 0);
        FloatVector v = x.sub(y).add(x).div(y).mul(x).max(y).min(x) // Binary and Associative, vector operand
                .sub(0.5f).add(1f).div(3f).mul(0.5f).max(-9f).min(9f) // the same with a scalar
                .neg().abs().sqrt() // Unary
                .fma(x, y).fma(0.5f, 0.25f); // Ternary
        VectorMask<Float> k = v.compare(VectorOperators.LT, y).or(v.compare(VectorOperators.GT, 1f))
                .and(x.compare(VectorOperators.EQ, y).not()).or(VectorMask.fromArray(S, m, 0))
                .and(S.maskAll(true)).or(x.compare(VectorOperators.NE, 0f)).and(x.compare(VectorOperators.GE, y))
                .or(y.compare(VectorOperators.LE, x));
        v = v.blend(x, k).blend(0f, k).add(FloatVector.zero(S).blend(1f, k));
        v = VectorMath32.exp(v).add(VectorMath32.tanh(y)).add(VectorMath32.log(v.abs().add(1f)))
                .add(VectorMath32.gelu(x)).add(VectorMath32.expm1(y.abs().neg())).add(VectorMath32.sigmoid(x))
                .add(VectorMath32.expNonPositive(x.abs().neg()));
        v.intoArray(out, 0);
        return out[0];
    }
}
