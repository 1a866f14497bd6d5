package dev.kiln.codegen.jvm;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;

/**
 * Decides, at compile time, whether an op gets a compiled GEMM path ({@link LinearAnchor}, {@link ConvAnchor}) and
 * packs its constant weight, or stays on its eager kernel — with the reason, for the {@link CompileReport}. The rule:
 * float32 throughout; the weight (and bias) frozen constants; {@code matmul}/{@code mm} only by a constant 2-d right
 * operand; {@code conv2d} only with a 4-d weight, integer attributes and a 3-d/4-d input; {@code bmm} and products of
 * two activations (attention's {@code q·kᵀ}) always eager.
 */
final class GemmAnchors {
    private GemmAnchors() {}

    /** An anchor, or null with the reason it was not made. */
    record Choice(GemmAnchor anchor, String reason) {}

    /**
     * @param consts per op input, its constant tensor, or null when it is computed at run time (or absent)
     * @param types  per op input, its IR type (null for an absent optional input)
     * @param vector whether the Vector API is in use (linear anchors then also pack Vector API panels)
     */
    static Choice select(Op op, Attrs attrs, Tensor[] consts, ValueType[] types, boolean vector) {
        if (op != Op.LINEAR && op != Op.MATMUL && op != Op.MM && op != Op.CONV2D) return null;
        if (!(types[0] instanceof TensorType x) || x.dtype() != DType.FLOAT32) return no("its input is not float32");
        if (consts[0] != null) return no("its input is a constant");
        Tensor w = consts.length > 1 ? consts[1] : null;
        if (w == null) return no("its weight is computed at run time (only constant weights are packed)");
        if (w.dtype() != DType.FLOAT32) return no("its weight is " + w.dtype().torchName() + ", not float32");
        Tensor b = consts.length > 2 ? consts[2] : null;
        boolean hasBias = types.length > 2 && types[2] != null;
        if (hasBias && (b == null || b.dtype() != DType.FLOAT32)) return no("its bias is not a float32 constant");
        switch (op) {
            case LINEAR -> {
                if (w.dim() != 2) return no("its weight is " + w.dim() + "-d");
                if (b != null && !(b.dim() <= 1 && (b.numel() == w.size(0) || b.numel() == 1))) {
                    return no("its bias does not fit the weight");
                }
                return new Choice(LinearAnchor.linear(w, b, vector), null);
            }
            case MATMUL, MM -> {
                if (w.dim() != 2) return no("its right operand is " + w.dim() + "-d");
                if (x.rank() < 1 || (op == Op.MM && x.rank() != 2)) return no("its left operand has rank " + x.rank());
                return new Choice(LinearAnchor.matmul(op.qualifiedName(), w, vector), null);
            }
            default -> {
                if (w.dim() != 4) return no("its weight is " + w.dim() + "-d");
                if (x.rank() != 3 && x.rank() != 4) return no("its input has rank " + x.rank());
                if (b != null && (b.dim() != 1 || b.numel() != w.size(0))) return no("its bias does not fit the weight");
                if (attrs.isSymbolic()) return no("its attributes are symbolic");
                int[] stride = pair(attrs, "stride", 1);
                int[] pad = pair(attrs, "padding", 0);
                int[] dil = pair(attrs, "dilation", 1);
                long groups = attrs.has("groups") ? attrs.getInt("groups") : 1;
                if (stride == null || pad == null || dil == null || groups < 1 || w.size(0) % groups != 0) {
                    return no("its stride/padding/dilation/groups are not plain positive integers");
                }
                return new Choice(new ConvAnchor(w, b, stride, pad, dil, (int) groups, vector), null);
            }
        }
    }

    private static Choice no(String reason) { return new Choice(null, reason); }

    /** A (height, width) attribute given as one or two integers of at least {@code min}, or null. */
    private static int[] pair(Attrs attrs, String name, int min) {
        if (!attrs.has(name)) return min == 0 ? new int[] {0, 0} : new int[] {1, 1};
        Object raw = attrs.getOrNull(name);
        if (!(raw instanceof long[]) && !(raw instanceof java.util.List<?>)) return null;
        long[] v;
        try {
            v = attrs.getInts(name);
        } catch (RuntimeException e) {
            return null;
        }
        if (v.length != 1 && v.length != 2) return null;
        long a = v[0];
        long c = v.length == 2 ? v[1] : v[0];
        if (a < min || c < min || a > Integer.MAX_VALUE || c > Integer.MAX_VALUE) return null;
        return new int[] {(int) a, (int) c};
    }
}
