package dev.kiln.ir.infer;

import static dev.kiln.ir.infer.Args.error;
import static dev.kiln.ir.infer.Args.one;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.type.Shape;
import dev.kiln.ir.type.TensorType;
import dev.kiln.ir.sym.SymExpr;
import java.util.List;
import java.util.Map;

/** Rules of the factories: shape and dtype come from attributes only. */
final class FactoryRules {
    private FactoryRules() {}

    static void register(Map<Op, TypeRule> t) {
        for (Op op : List.of(Op.ZEROS, Op.ONES, Op.FULL, Op.RAND, Op.RANDN)) {
            t.put(op, (in, a) -> {
                List<SymExpr> size = a.getShape("size");
                for (SymExpr s : size) {
                    if (s.isConstant() && s.constant() < 0) throw error(op, "size", "non-negative sizes", size);
                }
                DType d = a.getDType("dtype");
                if (op.has(dev.kiln.ir.OpTrait.RANDOM) && !d.isFloatingPoint()) {
                    throw error(op, "dtype", "a floating-point dtype", d.irName());
                }
                return one(TensorType.of(d, Shape.of(size)));
            });
        }
        t.put(Op.ARANGE, FactoryRules::arange);
    }

    /**
     * {@code arange}'s dtype and length as eager's kernel computes them: int64 when start, end and step are all
     * integers (else float32) unless {@code dtype} is given; length {@code ceil((end - start) / step)}.
     */
    private static List<TensorType> arange(List<TensorType> in, Attrs a) {
        Object start = a.getScalar("start"), end = a.getScalar("end"), step = a.getScalar("step");
        boolean ints = !(start instanceof Double) && !(end instanceof Double) && !(step instanceof Double);
        DType d = a.has("dtype") ? a.getDType("dtype") : ints ? DType.DEFAULT_INT : DType.DEFAULT_FLOAT;
        if (d == DType.BOOL) throw error(Op.ARANGE, "dtype", "a numeric dtype", "bool");
        double s = a.getScalarAsDouble("start"), e = a.getScalarAsDouble("end"), st = a.getScalarAsDouble("step");
        if (!(st > 0 || st < 0)) throw error(Op.ARANGE, "step", "a non-zero step", step);
        if (!Double.isFinite(s) || !Double.isFinite(e)) {
            throw error(Op.ARANGE, Double.isFinite(s) ? "end" : "start", "finite bounds", s + " -> " + e);
        }
        if ((st > 0 && e < s) || (st < 0 && e > s)) {
            throw error(Op.ARANGE, "step", "a step whose sign agrees with end - start", step);
        }
        double len = d == DType.INT64 && ints ? Math.ceil((double) (toLong(end) - toLong(start)) / toLong(step))
                : Math.ceil((e - s) / st);
        return one(TensorType.of(d, Shape.of((long) len)));
    }

    private static long toLong(Object scalar) {
        return scalar instanceof Boolean b ? (b ? 1 : 0) : ((Number) scalar).longValue();
    }
}
