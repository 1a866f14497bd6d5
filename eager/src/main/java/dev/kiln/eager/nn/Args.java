package dev.kiln.eager.nn;

import dev.kiln.eager.KilnException;
import java.util.Arrays;

/** Argument checks shared by the modules' constructors. */
final class Args {
    private Args() {}

    /** {@code {v, v}}: a square kernel, stride, padding or dilation. */
    static int[] pair(int v) { return new int[] {v, v}; }

    /** A copy of {@code v}, checked to be {@code {height, width}} with both at least {@code min}. */
    static int[] pair(String module, String name, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new KilnException(module + ": expected '" + name + "' as two values >= " + min + ", found "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        return v.clone();
    }
}
