package dev.kiln.codegen.jvm;

import dev.kiln.ir.DType;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.passes.kernel.Expr;
import dev.kiln.passes.kernel.Kernel;
import dev.kiln.passes.kernel.Operand;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one kernel-IR {@link Kernel} becomes a JVM loop, or why it cannot ({@link #reject}). A lowerable kernel has no
 * reduction, float32 stores over the full domain, float32/bool values only, and operands that are each
 * {@link Access#FULL} (the domain's shape), {@link Access#ROW} (the domain's trailing dims, the same split for all)
 * or {@link Access#SCALAR} (one element). That makes every array access unit-stride from offset 0.
 *
 * <p>Two loop shapes ({@link #chunked}): <b>flat</b> — one counted loop {@code out[i] = f(a[i], ...)} when the
 * expression is plain arithmetic over FULL/SCALAR operands; <b>chunked</b> — when it uses a transcendental that
 * {@code FastMath32} has an array helper for, or a ROW operand: per block of {@link #BLOCK} points the operands
 * are copied into per-thread scratch arrays, and the DAG runs in <em>stages</em>: stage {@code k} is one loop over
 * the block computing the arithmetic nodes of level {@code k}, and the helpers of level {@code k} run on whole
 * scratch arrays just before it. Every loop indexes all its arrays by the same {@code j} from 0, the form C2
 * vectorises.
 */
final class LoopPlan {
    /** Points per chunk; scratch arrays hold this many floats (L1-resident). */
    static final int BLOCK = 1024;

    /** How an operand is indexed. */
    enum Access { FULL, ROW, SCALAR, UNUSED }

    /** Unary ops that run as FastMath32 array helpers in chunked loops. */
    static final Set<Expr.UnaryOp> HELPERS = EnumSet.of(Expr.UnaryOp.EXP, Expr.UnaryOp.TANH, Expr.UnaryOp.SIGMOID,
            Expr.UnaryOp.SILU, Expr.UnaryOp.GELU, Expr.UnaryOp.GELU_TANH, Expr.UnaryOp.LOG);

    final Kernel kernel;
    final String reject;
    final Access[] access;
    /** Number of trailing domain dims a ROW operand covers (the inner loop), or 0 when no operand is ROW. */
    final int rowDims;
    final boolean chunked;
    /** Vector shape: one loop over {@code FloatVector}s of the whole expression plus a scalar tail (no scratch). */
    final boolean vector;
    /** Why a plan that asked for the vector shape did not get it (then it is flat or chunked), else null. */
    final String notVectorised;
    /** Level of each helper and float arithmetic node (chunked only). */
    final Map<Expr, Integer> level = new IdentityHashMap<>();
    /** Float nodes written to scratch in their stage because a later stage or a helper reads them. */
    final Set<Expr> materialised = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Helper nodes, in dependency order. */
    final List<Expr.Unary> helpers = new ArrayList<>();
    /** Scratch slot of each FULL/ROW operand copy, materialised node and helper output (chunked only). */
    final Map<Object, Integer> floatScratch = new LinkedHashMap<>();
    final Map<Integer, Integer> boolScratch = new LinkedHashMap<>();
    int stages = 1;

    private LoopPlan(Kernel kernel, String reject, Access[] access, int rowDims, boolean chunked, boolean vector,
                     String notVectorised) {
        this.kernel = kernel;
        this.reject = reject;
        this.access = access;
        this.rowDims = rowDims;
        this.chunked = chunked;
        this.vector = vector;
        this.notVectorised = notVectorised;
    }

    /** The scalar plan (flat or chunked). */
    static LoopPlan of(Kernel k) { return of(k, false); }

    /**
     * @param vector ask for the vector shape ({@link #vector}); granted when every node has a vector lowering
     *               ({@link VectorExprEmitter#unsupported}), else the scalar plan with the reason in
     *               {@link #notVectorised}
     */
    static LoopPlan of(Kernel k, boolean vector) {
        Access[] access = new Access[k.operands().size()];
        java.util.Arrays.fill(access, Access.UNUSED);
        if (k.reductionAxis() >= 0) return rejected(k, "has a reduction over axis " + k.reductionAxis(), access);
        List<Expr> order = topo(k);
        for (Kernel.Store s : k.stores()) {
            if (s.reduced() || s.type().dtype() != DType.FLOAT32) {
                return rejected(k, "stores " + s.type() + (s.reduced() ? " reduced" : ""), access);
            }
        }
        boolean helper = false;
        for (Expr e : order) {
            String why = unsupported(e);
            if (why != null) return rejected(k, why, access);
            if (e instanceof Expr.Unary u && HELPERS.contains(u.op())) helper = true;
        }
        int rowDims = 0;
        List<SymExpr> dom = k.domain();
        for (Expr e : order) {
            if (!(e instanceof Expr.Load l) || access[l.operand()] != Access.UNUSED) continue;
            List<SymExpr> dims = k.operands().get(l.operand()).type().shape().dims();
            int lead = dom.size() - dims.size();
            boolean full = true;
            boolean scalar = true;
            int firstMatch = dom.size();
            for (int p = 0; p < dom.size(); p++) {
                SymExpr od = p < lead ? SymExpr.of(1) : dims.get(p - lead);
                if (!od.isConstant(1)) scalar = false;
                if (!od.equals(dom.get(p))) full = false;
            }
            for (int p = dom.size() - 1; p >= 0; p--) {
                SymExpr od = p < lead ? SymExpr.of(1) : dims.get(p - lead);
                if (od.equals(dom.get(p))) firstMatch = p;
                else break;
            }
            boolean row = true;
            for (int p = 0; p < firstMatch; p++) if (!(p < lead || dims.get(p - lead).isConstant(1))) row = false;
            if (full) access[l.operand()] = Access.FULL;
            else if (scalar) access[l.operand()] = Access.SCALAR;
            else if (row) {
                int rd = dom.size() - firstMatch;
                if (rowDims != 0 && rowDims != rd) {
                    return rejected(k, "operands broadcast over different trailing dims (" + rowDims + " and " + rd + ")",
                            access);
                }
                rowDims = rd;
                access[l.operand()] = Access.ROW;
            } else {
                return rejected(k, "operand " + l.operand() + " " + k.operands().get(l.operand()).type()
                        + " broadcasts in the middle of the domain " + dom, access);
            }
        }
        String notVectorised = null;
        if (vector) {
            for (Expr e : order) {
                notVectorised = VectorExprEmitter.unsupported(e);
                if (notVectorised != null) break;
            }
            if (notVectorised == null) return new LoopPlan(k, null, access, rowDims, false, true, null);
        }
        LoopPlan p = new LoopPlan(k, null, access, rowDims, helper || rowDims > 0, false, notVectorised);
        if (p.chunked) p.stage(order);
        return p;
    }

    private static LoopPlan rejected(Kernel k, String why, Access[] access) {
        return new LoopPlan(k, why, access, 0, false, false, null);
    }

    boolean isHelper(Expr e) {
        return chunked && e instanceof Expr.Unary u && HELPERS.contains(u.op()) && !isScalarSource(u.a());
    }

    private boolean isScalarSource(Expr e) {
        return e instanceof Expr.Const || e instanceof Expr.Load l && access[l.operand()] == Access.SCALAR;
    }

    /** Free nodes are recomputed in every stage that needs them: loads, constants and bool values. */
    static boolean free(Expr e) {
        return e instanceof Expr.Load || e instanceof Expr.Const || jvm(e) == DType.BOOL;
    }

    /** How a value is held in generated code: bool as int 0/1, everything else (f32, or a constant) as float. */
    static DType jvm(Expr e) { return e.dtype() == DType.BOOL ? DType.BOOL : DType.FLOAT32; }

    private void stage(List<Expr> order) {
        for (int i = 0; i < access.length; i++) {
            if (access[i] == Access.FULL || access[i] == Access.ROW) {
                if (kernel.operands().get(i).type().dtype() == DType.BOOL) boolScratch.put(i, boolScratch.size());
                else floatScratch.put(i, floatScratch.size());
            }
        }
        for (Expr e : order) {
            if (e instanceof Expr.Load || e instanceof Expr.Const) continue;
            int lv = 0;
            if (isHelper(e)) {
                Expr in = ((Expr.Unary) e).a();
                lv = in instanceof Expr.Load ? 0 : levelOf(in) + 1;
                helpers.add((Expr.Unary) e);
                floatScratch.put(e, floatScratch.size());
            } else {
                for (Expr in : inputs(e)) lv = Math.max(lv, levelOf(in));
            }
            level.put(e, lv);
        }
        for (Expr.Unary h : helpers) {
            if (!(h.a() instanceof Expr.Load)) materialise(h.a());
        }
        for (Kernel.Store s : kernel.stores()) need(levelOf(s.value()), s.value());
        for (Expr e : level.keySet()) stages = Math.max(stages, level.get(e) + 1);
    }

    int levelOf(Expr e) {
        Integer l = level.get(e);
        return l == null ? 0 : l;
    }

    private void materialise(Expr e) {
        if (materialised.add(e)) {
            floatScratch.put(e, floatScratch.size());
            need(levelOf(e), e);
        }
    }

    /** Records what stage {@code stage} needs to compute {@code e}: earlier float results must be in scratch. */
    private void need(int stage, Expr e) {
        if (e instanceof Expr.Load || e instanceof Expr.Const || isHelper(e)) return;
        if (jvm(e) == DType.FLOAT32 && levelOf(e) < stage) {
            materialise(e);
            return;
        }
        for (Expr in : inputs(e)) need(stage, in);
    }

    static List<Expr> inputs(Expr e) {
        if (e instanceof Expr.Unary u) return List.of(u.a());
        if (e instanceof Expr.Binary b) return List.of(b.a(), b.b());
        if (e instanceof Expr.Select s) return List.of(s.cond(), s.a(), s.b());
        if (e instanceof Expr.Reduce r) return List.of(r.body());
        return List.of();
    }

    /** All nodes reachable from the stores, inputs before users. */
    static List<Expr> topo(Kernel k) {
        List<Expr> out = new ArrayList<>();
        Set<Expr> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Kernel.Store s : k.stores()) visit(s.value(), seen, out);
        return out;
    }

    private static void visit(Expr e, Set<Expr> seen, List<Expr> out) {
        if (!seen.add(e)) return;
        for (Expr in : inputs(e)) visit(in, seen, out);
        out.add(e);
    }

    private static String unsupported(Expr e) {
        if (e instanceof Expr.Const) return null; // a number: emitted in the type its user computes in
        if (e.dtype() != DType.FLOAT32 && e.dtype() != DType.BOOL) return "computes in " + e.dtype().irName();
        if (e instanceof Expr.Binary b && b.computeType() != DType.FLOAT32 && b.computeType() != DType.BOOL) {
            return b.op() + " computes in " + b.computeType().irName();
        }
        if (e instanceof Expr.Reduce || e instanceof Expr.Extent) return "uses a reduction";
        return null;
    }
}
