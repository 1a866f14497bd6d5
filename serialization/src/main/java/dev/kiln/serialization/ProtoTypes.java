package dev.kiln.serialization;

import dev.kiln.ir.DType;
import dev.kiln.ir.IrException;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.SymIntType;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.type.ValueType;
import dev.kiln.serialization.proto.Dim;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions between IR types and their protobuf messages. A static dim is stored as an integer, a symbolic one
 * as its canonical IR text ({@code B*16}, {@code floordiv(B+1, 2)}), which {@link IrParser#parseDim} reads back to
 * an equal {@link SymExpr}: the text is the one public, canonical, versioned spelling of a polynomial, so the
 * archive needs no second encoding of {@link SymExpr}'s internals.
 *
 * <p>Decoding throws {@link DecodeException} for anything out of range (unknown dtype number, unset oneof, a dim
 * text that does not parse).
 */
final class ProtoTypes {
    private ProtoTypes() {}

    static dev.kiln.serialization.proto.DType dtype(DType t) {
        return switch (t) {
            case BOOL -> dev.kiln.serialization.proto.DType.BOOL;
            case INT32 -> dev.kiln.serialization.proto.DType.INT32;
            case INT64 -> dev.kiln.serialization.proto.DType.INT64;
            case FLOAT32 -> dev.kiln.serialization.proto.DType.FLOAT32;
            case FLOAT64 -> dev.kiln.serialization.proto.DType.FLOAT64;
        };
    }

    static DType dtype(dev.kiln.serialization.proto.DType t, String where) {
        return switch (t) {
            case BOOL -> DType.BOOL;
            case INT32 -> DType.INT32;
            case INT64 -> DType.INT64;
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT64 -> DType.FLOAT64;
            case DTYPE_UNSPECIFIED, UNRECOGNIZED -> throw DecodeException.malformed(where + ": unknown dtype number "
                    + (t == dev.kiln.serialization.proto.DType.UNRECOGNIZED ? "(unrecognized)" : "0 (unspecified)")
                    + "; expected bool, i32, i64, f32 or f64");
        };
    }

    static Dim dim(SymExpr d) {
        return d.isConstant() ? Dim.newBuilder().setSize(d.constant()).build()
                : Dim.newBuilder().setExpr(d.toString()).build();
    }

    static SymExpr dim(Dim d, String where) {
        switch (d.getKindCase()) {
            case SIZE -> {
                if (d.getSize() < 0) throw DecodeException.malformed(where + ": negative dimension " + d.getSize());
                return SymExpr.of(d.getSize());
            }
            case EXPR -> {
                try {
                    return IrParser.parseDim(d.getExpr());
                } catch (IrException e) {
                    throw DecodeException.malformed(where + ": bad symbolic dimension '" + d.getExpr() + "': "
                            + e.getMessage());
                }
            }
            default -> throw DecodeException.malformed(where + ": dimension has neither a size nor an expression");
        }
    }

    static dev.kiln.serialization.proto.TensorType tensorType(TensorType t) {
        var b = dev.kiln.serialization.proto.TensorType.newBuilder().setDtype(dtype(t.dtype()))
                .setWrappedNumber(t.wrappedNumber());
        for (SymExpr d : t.shape().dims()) b.addShape(dim(d));
        return b.build();
    }

    static TensorType tensorType(dev.kiln.serialization.proto.TensorType t, String where) {
        List<SymExpr> dims = new ArrayList<>();
        for (Dim d : t.getShapeList()) dims.add(dim(d, where));
        try {
            return new TensorType(dtype(t.getDtype(), where), Shape.of(dims), t.getWrappedNumber());
        } catch (IllegalArgumentException e) {
            throw DecodeException.malformed(where + ": " + e.getMessage());
        }
    }

    static dev.kiln.serialization.proto.ValueType valueType(ValueType t) {
        var b = dev.kiln.serialization.proto.ValueType.newBuilder();
        if (t instanceof TensorType tt) b.setTensor(tensorType(tt));
        else b.setSymInt(dim(((SymIntType) t).value()));
        return b.build();
    }

    static ValueType valueType(dev.kiln.serialization.proto.ValueType t, String where) {
        return switch (t.getKindCase()) {
            case TENSOR -> tensorType(t.getTensor(), where);
            case SYM_INT -> new SymIntType(dim(t.getSymInt(), where));
            default -> throw DecodeException.malformed(where + ": value type is neither a tensor nor an int");
        };
    }

    static long[] shape(List<Long> dims, String where) {
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims.get(i);
            if (out[i] < 0) throw DecodeException.malformed(where + ": negative size " + out[i] + " in shape " + dims);
        }
        return out;
    }
}
