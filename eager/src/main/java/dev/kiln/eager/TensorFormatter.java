package dev.kiln.eager;

import dev.kiln.ir.DType;

/** Prints tensors the way PyTorch does: {@code tensor([[1., 2.], [3., 4.]], dtype=float64)}, summarised when large. */
final class TensorFormatter {
    private static final int EDGE = 3;
    private static final long SUMMARISE_ABOVE = 1000;

    private TensorFormatter() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        boolean summarise = t.numel() > SUMMARISE_ABOVE;
        if (t.dim() == 0) {
            sb.append(element(t, new long[0]));
        } else {
            appendDim(sb, t, new long[t.dim()], 0, summarise, "tensor(".length());
        }
        if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.INT64 && t.dtype() != DType.BOOL) {
            sb.append(", dtype=").append(t.dtype().torchName());
        }
        if (t.numel() == 0) sb.append(", size=").append(java.util.Arrays.toString(t.shape()));
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, Tensor t, long[] idx, int d, boolean summarise, int indent) {
        long n = t.size(d);
        sb.append('[');
        for (long i = 0; i < n; i++) {
            if (summarise && n > 2 * EDGE && i == EDGE) {
                sb.append("...");
                i = n - EDGE - 1;
                sb.append(d == t.dim() - 1 ? ", " : ",\n" + " ".repeat(indent + d + 1));
                continue;
            }
            idx[d] = i;
            if (d == t.dim() - 1) sb.append(element(t, idx));
            else appendDim(sb, t, idx, d + 1, summarise, indent);
            if (i < n - 1) sb.append(d == t.dim() - 1 ? ", " : ",\n" + " ".repeat(indent + d + 1));
        }
        sb.append(']');
    }

    private static String element(Tensor t, long[] idx) {
        return switch (t.dtype()) {
            case BOOL -> t.getLong(idx) != 0 ? "True" : "False";
            case INT32, INT64 -> Long.toString(t.getLong(idx));
            default -> {
                double v = t.getDouble(idx);
                if (Double.isNaN(v)) yield "nan";
                if (Double.isInfinite(v)) yield v > 0 ? "inf" : "-inf";
                if (v == Math.rint(v) && Math.abs(v) < 1e16) yield (long) v + ".";
                yield String.format("%.4f", v);
            }
        };
    }
}
