package dev.kiln.codegen.ptx.kir;

import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;
import dev.kiln.codegen.ptx.asm.RegClass;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.passes.kernel.Operand;
import java.util.ArrayList;
import java.util.List;

/**
 * The domain's dims as PTX operands (a {@code Long} immediate for a constant dim, else a {@code u32} register
 * loaded from the {@code dim<j>} parameter) and the element strides of dense operands read with broadcasting.
 *
 * <p>An operand's dims align with the domain's from the right; a dim of constant size 1 (or a missing leading dim)
 * is read with stride 0, every other dim equals the domain's (checked by the lowering) and has the row-major stride
 * of the operand's own shape, a product of domain dims. All values are unsigned 32-bit.
 */
final class Geometry {
    private final PtxBuilder b;
    private final List<SymExpr> domain;
    private final Object[] dims;
    private final List<SymExpr> sizeParams = new ArrayList<>();

    Geometry(PtxBuilder b, List<SymExpr> domain) {
        this.b = b;
        this.domain = domain;
        this.dims = new Object[domain.size()];
        for (int j = 0; j < dims.length; j++) {
            SymExpr d = domain.get(j);
            if (d.isConstant()) {
                if (d.constant() < 0 || d.constant() >= 1L << 31) {
                    throw new UnsupportedKernelException("domain dim " + j + " = " + d + ": expected 0 <= n < 2^31");
                }
                dims[j] = d.constant();
            } else {
                dims[j] = b.loadParam("dim" + j, "u32", RegClass.R32);
                sizeParams.add(d);
            }
        }
    }

    List<SymExpr> sizeParams() { return sizeParams; }

    int rank() { return dims.length; }

    /** Dim {@code j}: a {@code Long} or a {@code u32} register. */
    Object dim(int j) { return dims[j]; }

    boolean isOne(int j) { return domain.get(j).isConstant(1); }

    /** The product of the dims {@code j} with {@code keep[j]}, as a PTX operand. */
    Object product(boolean[] keep) {
        long c = 1;
        Reg acc = null;
        for (int j = 0; j < dims.length; j++) {
            if (!keep[j]) continue;
            if (dims[j] instanceof Long v) {
                c *= v;
            } else if (acc == null) {
                acc = (Reg) dims[j];
            } else {
                Reg next = b.r32();
                b.op("mul.lo.u32", next, acc, dims[j]);
                acc = next;
            }
        }
        if (acc == null) return c;
        if (c == 1) return acc;
        Reg r = b.r32();
        b.op("mul.lo.u32", r, acc, c);
        return r;
    }

    /** Element strides over the domain of a dense operand (0 where it broadcasts), as PTX operands. */
    Object[] strides(Operand o) {
        List<SymExpr> od = o.type().shape().dims();
        int lead = dims.length - od.size();
        if (lead < 0) throw new UnsupportedKernelException("operand " + o.name() + " has more dims than the domain " + domain);
        Object[] s = new Object[dims.length];
        for (int j = 0; j < dims.length; j++) {
            boolean broadcast = j < lead || od.get(j - lead).isConstant(1);
            if (broadcast) {
                s[j] = 0L;
                continue;
            }
            boolean[] keep = new boolean[dims.length];
            for (int k = j + 1; k < dims.length; k++) keep[k] = !od.get(k - lead).isConstant(1);
            s[j] = product(keep);
        }
        return s;
    }

    /** Row-major strides of a dense tensor of the domain's shape. */
    Object[] contiguousStrides() {
        Object[] s = new Object[dims.length];
        for (int j = 0; j < dims.length; j++) {
            boolean[] keep = new boolean[dims.length];
            for (int k = j + 1; k < dims.length; k++) keep[k] = true;
            s[j] = product(keep);
        }
        return s;
    }

    /**
     * Coordinates of the flat row-major index {@code flat} over the dims {@code j} with {@code use[j]} (others get
     * null): {@code rem/div} by each dim from the innermost; size-1 dims get coordinate 0 without arithmetic.
     */
    Object[] coordinates(Reg flat, boolean[] use) {
        Object[] c = new Object[dims.length];
        int first = -1;
        for (int j = 0; j < dims.length; j++) if (use[j]) { first = j; break; }
        Reg q = flat;
        for (int j = dims.length - 1; j >= 0; j--) {
            if (!use[j]) continue;
            if (isOne(j)) {
                c[j] = 0L;
                continue;
            }
            if (j == first) {
                c[j] = q;
                break;
            }
            Reg r = b.r32();
            b.op("rem.u32", r, q, dims[j]);
            Reg nq = b.r32();
            b.op("div.u32", nq, q, dims[j]);
            c[j] = r;
            q = nq;
        }
        return c;
    }

    /** {@code sum coord[j] * stride[j]} over the dims with a coordinate, as a {@code u32} register. */
    Reg offset(Object[] coords, Object[] strides) {
        Reg acc = null;
        for (int j = 0; j < coords.length; j++) {
            if (coords[j] == null || Long.valueOf(0).equals(strides[j]) || Long.valueOf(0).equals(coords[j])) continue;
            boolean unit = Long.valueOf(1).equals(strides[j]);
            if (acc == null && unit) {
                acc = (Reg) coords[j];
                continue;
            }
            Reg next = b.r32();
            if (acc == null) b.op("mul.lo.u32", next, coords[j], strides[j]);
            else if (unit) b.op("add.u32", next, coords[j], acc);
            else b.op("mad.lo.u32", next, coords[j], strides[j], acc);
            acc = next;
        }
        if (acc == null) {
            acc = b.r32();
            b.op("mov.u32", acc, 0L);
        }
        return acc;
    }
}
