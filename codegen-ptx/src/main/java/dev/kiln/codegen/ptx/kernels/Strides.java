package dev.kiln.codegen.ptx.kernels;

import java.util.ArrayList;
import java.util.List;

/** Stride arithmetic on iteration shapes: contiguous strides, element counts and dimension collapsing. */
public final class Strides {
    private Strides() {}

    public static long[] contiguous(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** An iteration shape and the strides of several operands over it, after {@link #collapse}. */
    public record Collapsed(long[] shape, List<long[]> strides) {}

    /**
     * Drops size-1 dims and merges neighbours {@code d, d+1} wherever every operand has
     * {@code stride[d] == stride[d+1] * shape[d+1]}: the flat index then decomposes into fewer coordinates,
     * which means fewer divisions per element in the kernel. The element each flat index reaches is unchanged.
     */
    public static Collapsed collapse(long[] shape, List<long[]> strides) {
        List<Long> dims = new ArrayList<>();
        List<List<Long>> st = new ArrayList<>();
        for (int k = 0; k < strides.size(); k++) st.add(new ArrayList<>());
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            int last = dims.size() - 1;
            boolean merge = last >= 0;
            for (int k = 0; k < strides.size() && merge; k++) {
                merge = st.get(k).get(last) == strides.get(k)[d] * shape[d];
            }
            if (merge) {
                dims.set(last, dims.get(last) * shape[d]);
                for (int k = 0; k < strides.size(); k++) st.get(k).set(last, strides.get(k)[d]);
            } else {
                dims.add(shape[d]);
                for (int k = 0; k < strides.size(); k++) st.get(k).add(strides.get(k)[d]);
            }
        }
        long[] outShape = dims.stream().mapToLong(Long::longValue).toArray();
        List<long[]> outStrides = new ArrayList<>();
        for (List<Long> s : st) outStrides.add(s.stream().mapToLong(Long::longValue).toArray());
        return new Collapsed(outShape, outStrides);
    }
}
