package dev.kiln.codegen.ptx.kir;

import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.asm.Label;
import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.asm.Reg;
import dev.kiln.codegen.ptx.asm.RegClass;
import dev.kiln.codegen.ptx.kernels.BlockReducer;
import dev.kiln.codegen.ptx.kernels.ElementAccess;
import dev.kiln.codegen.ptx.kernels.RowReductionGenerator;
import dev.kiln.codegen.ptx.kir.Values.Value;
import dev.kiln.ir.DType;
import dev.kiln.passes.kernel.Expr;
import dev.kiln.passes.kernel.Kernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Renders a kernel IR {@link Kernel} to PTX, for every binding of its symbolic sizes (they are kernel parameters;
 * see {@link RenderedKernel} for the parameter order and launch).
 *
 * <p><b>Elementwise</b> (no reduction axis): a grid-stride loop over the flat row-major index of the domain, 256
 * threads per block; coordinates by {@code div/rem} by each dim (an immediate, or the {@code dim<j>} register);
 * each operand read at {@code sum coord[j] * stride[j]} with stride 0 on broadcast dims; every store dense at the flat
 * index. <b>Reduction</b> (any axis): one block per outer point (the domain without the axis, row-major), blocks
 * striding over outer points; threads walk the axis at the operands' axis strides (a strided row walk, so the axis
 * need not be the last). The {@link Expr.Reduce} nodes are grouped by nesting depth (softmax's sum needs its max):
 * one pass over the axis per depth, each accumulating all its reductions in {@code f32} and combining them with a
 * {@link BlockReducer}; then reduced stores are written by thread 0 at the outer index and full stores in a last
 * pass. Threads check every index against the domain ({@code setp.ge.u32} before each loop body).
 *
 * <p>Fails with {@link UnsupportedKernelException} (naming the op and dtype) on what it cannot render: a reduction
 * not in {@code f32}, an op without a lowering in its compute dtype, a reduced store reading an operand that varies
 * along the axis.
 */
public final class KernelIrRenderer {
    /**
     * The contract of rendered kernels with their launcher: parameter order and types (see {@link RenderedKernel}),
     * dense row-major buffers, 32-bit indexing. Archived PTX of another version is rendered again from the graph.
     */
    public static final int ABI_VERSION = 1;

    /** Threads per block of elementwise kernels, and of reductions over a symbolic extent. */
    public static final int BLOCK = 256;

    private final Kernel kernel;
    private final PtxBuilder b;
    private final Geometry geo;
    private final List<Integer> used;
    private final Reg[] inBase;
    private final Reg[] outBase;
    private final Object[][] strides;

    private KernelIrRenderer(Kernel kernel, String entry, PtxTarget target) {
        this.kernel = kernel;
        this.b = new PtxBuilder(target, entry);
        this.used = new ArrayList<>(loadedOperands(kernel));
        this.inBase = new Reg[kernel.operands().size()];
        for (int k : used) inBase[k] = pointer("in" + k);
        this.outBase = new Reg[kernel.stores().size()];
        for (int s = 0; s < outBase.length; s++) outBase[s] = pointer("out" + s);
        this.geo = new Geometry(b, kernel.domain());
        this.strides = new Object[kernel.operands().size()][];
        for (int k : used) strides[k] = geo.strides(kernel.operands().get(k));
    }

    /** Renders {@code kernel} as the PTX entry {@code entry} (a C identifier). */
    public static RenderedKernel render(Kernel kernel, String entry, PtxTarget target) {
        KernelIrRenderer r = new KernelIrRenderer(kernel, entry, target);
        int threads = kernel.reductionAxis() < 0 ? r.elementwise() : r.reduction();
        return new RenderedKernel(new PtxKernel(entry, r.b.build()), kernel, r.used, r.geo.sizeParams(), threads,
                kernel.reductionAxis() >= 0);
    }

    // ---- elementwise ----

    private int elementwise() {
        b.comment("kernel IR " + kernel.name() + ": elementwise over " + kernel.domain());
        boolean[] all = new boolean[geo.rank()];
        Arrays.fill(all, true);
        Object total = geo.product(all);
        Reg i = b.r32();
        Reg tid = b.r32();
        Reg cta = b.r32();
        b.op("mov.u32", tid, "%tid.x");
        b.op("mov.u32", cta, "%ctaid.x");
        b.op("mad.lo.u32", i, cta, BLOCK, tid);
        Reg step = b.r32();
        b.op("mov.u32", step, "%nctaid.x");
        b.op("mul.lo.u32", step, step, BLOCK);
        loop("elem", i, total, step, () -> {
            Object[] coords = geo.coordinates(i, all);
            ExprRenderer e = new ExprRenderer(b, k -> load(k, geo.offset(coords, strides[k])), Map.of(), null);
            for (int s = 0; s < outBase.length; s++) store(s, i, e.emit(kernel.stores().get(s).value()));
        });
        return BLOCK;
    }

    // ---- reduction ----

    private int reduction() {
        int axis = kernel.reductionAxis();
        Object extent = geo.dim(axis);
        int threads = extent instanceof Long n ? RowReductionGenerator.threadsFor(n) : BLOCK;
        b.maxThreads(threads);
        b.comment("kernel IR " + kernel.name() + ": reduction over axis " + axis + " of " + kernel.domain() + ", "
                + threads + " threads per outer point");
        boolean[] outer = new boolean[geo.rank()];
        Arrays.fill(outer, true);
        outer[axis] = false;
        Object outerTotal = geo.product(outer);
        Object[] dense = geo.contiguousStrides();
        Reg tid = b.r32();
        b.op("mov.u32", tid, "%tid.x");
        BlockReducer reducer = new BlockReducer(b, threads, tid);
        Reg o = b.r32();
        b.op("mov.u32", o, "%ctaid.x");
        Reg step = b.r32();
        b.op("mov.u32", step, "%nctaid.x");
        List<List<Expr.Reduce>> levels = reductionLevels(kernel);
        // o is the same in every thread of a block, so the barriers inside the loop are reached uniformly
        loop("outer", o, outerTotal, step, () -> {
            Object[] coords = geo.coordinates(o, outer);
            Reg[] base = new Reg[inBase.length];
            for (int k : used) base[k] = geo.offset(coords, strides[k]);
            Map<Expr, Value> reduced = new IdentityHashMap<>();
            for (List<Expr.Reduce> level : levels) {
                Reg[] acc = new Reg[level.size()];
                for (int r = 0; r < acc.length; r++) {
                    Expr.Reduce red = level.get(r);
                    if (red.dtype() != DType.FLOAT32) {
                        throw new UnsupportedKernelException("PTX renderer: reduction " + red.op() + " in "
                                + red.dtype().irName() + " (only f32 reductions are rendered)");
                    }
                    acc[r] = b.f32();
                    b.op("mov.f32", acc[r], red.op() == Expr.ReduceOp.SUM ? 0.0f : Float.NEGATIVE_INFINITY);
                }
                columns(tid, extent, threads, col -> {
                    ExprRenderer e = new ExprRenderer(b, k -> loadAlongAxis(k, base, col), reduced, extent);
                    for (int r = 0; r < acc.length; r++) {
                        Reg v = Values.convert(b, e.emit(level.get(r).body()), DType.FLOAT32).reg();
                        b.op(combine(level.get(r)), acc[r], acc[r], v);
                    }
                });
                for (int r = 0; r < acc.length; r++) {
                    reducer.reduce(acc[r], combine(level.get(r)));
                    reduced.put(level.get(r), new Value(acc[r], DType.FLOAT32));
                }
            }
            Reg zero = b.r32();
            b.op("mov.u32", zero, 0L);
            ExprRenderer once = new ExprRenderer(b, k -> {
                if (!Long.valueOf(0).equals(strides[k][axis])) {
                    throw new UnsupportedKernelException("PTX renderer: a reduced store of kernel " + kernel.name()
                            + " reads operand " + kernel.operands().get(k).name() + ", which varies along the axis");
                }
                return loadAlongAxis(k, base, zero);
            }, reduced, extent);
            Reg first = b.pred();
            b.op("setp.eq.u32", first, tid, 0L);
            Label skip = b.label("reduced_done");
            b.braIf(first, true, skip);
            for (int s = 0; s < outBase.length; s++) {
                if (kernel.stores().get(s).reduced()) store(s, o, once.emit(kernel.stores().get(s).value()));
            }
            b.bind(skip);
            if (kernel.stores().stream().anyMatch(st -> !st.reduced())) {
                Reg outRow = geo.offset(coords, dense);
                columns(tid, extent, threads, col -> {
                    ExprRenderer e = new ExprRenderer(b, k -> loadAlongAxis(k, base, col), reduced, extent);
                    Reg idx = b.r32();
                    b.op("mad.lo.u32", idx, col, dense[axis], outRow);
                    for (int s = 0; s < outBase.length; s++) {
                        if (!kernel.stores().get(s).reduced()) store(s, idx, e.emit(kernel.stores().get(s).value()));
                    }
                });
            }
        });
        return threads;
    }

    private static String combine(Expr.Reduce r) { return r.op() == Expr.ReduceOp.SUM ? "add.rn.f32" : "max.NaN.f32"; }

    /**
     * The reductions reachable from the stores, grouped by depth: a reduction whose body uses another is one level
     * after it (softmax: max, then the sum of exp(x - max)). Within a level, first-reached order.
     */
    static List<List<Expr.Reduce>> reductionLevels(Kernel k) {
        Map<Expr, Integer> depth = new IdentityHashMap<>();
        List<Expr.Reduce> order = new ArrayList<>();
        for (Kernel.Store s : k.stores()) depthOf(s.value(), depth, order);
        List<List<Expr.Reduce>> levels = new ArrayList<>();
        for (Expr.Reduce r : order) {
            int d = depth.get(r);
            while (levels.size() <= d) levels.add(new ArrayList<>());
            levels.get(d).add(r);
        }
        return levels;
    }

    /** The nesting depth of the reductions {@code e} depends on (-1: none); records each reduction's own depth. */
    private static int depthOf(Expr e, Map<Expr, Integer> depth, List<Expr.Reduce> order) {
        if (e instanceof Expr.Reduce r) {
            Integer known = depth.get(r);
            if (known != null) return known;
            int d = depthOf(r.body(), depth, order) + 1;
            depth.put(r, d);
            order.add(r);
            return d;
        }
        Integer memo = depth.get(e);
        if (memo != null) return memo;
        int d = -1;
        if (e instanceof Expr.Unary u) d = depthOf(u.a(), depth, order);
        else if (e instanceof Expr.Binary bin) {
            d = Math.max(depthOf(bin.a(), depth, order), depthOf(bin.b(), depth, order));
        } else if (e instanceof Expr.Select s) {
            d = Math.max(depthOf(s.cond(), depth, order),
                    Math.max(depthOf(s.a(), depth, order), depthOf(s.b(), depth, order)));
        }
        depth.put(e, d);
        return d;
    }

    // ---- shared pieces ----

    /** {@code for (; i < bound; i += step) body()}. */
    private void loop(String hint, Reg i, Object bound, Reg step, Runnable body) {
        Label top = b.label(hint);
        Label end = b.label(hint + "_end");
        b.bind(top);
        Reg p = b.pred();
        b.op("setp.ge.u32", p, i, bound);
        b.braIf(p, false, end);
        body.run();
        b.op("add.u32", i, i, step);
        b.bra(top);
        b.bind(end);
    }

    /** {@code for (col = tid; col < extent; col += threads) body(col)}. */
    private void columns(Reg tid, Object extent, int threads, Consumer<Reg> body) {
        Reg col = b.r32();
        b.op("mov.u32", col, tid);
        Reg step = b.r32();
        b.op("mov.u32", step, (long) threads);
        loop("col", col, extent, step, () -> body.accept(col));
    }

    private Value loadAlongAxis(int k, Reg[] base, Reg col) {
        Object s = strides[k][kernel.reductionAxis()];
        if (Long.valueOf(0).equals(s)) return load(k, base[k]);
        Reg off = b.r32();
        b.op("mad.lo.u32", off, col, s, base[k]);
        return load(k, off);
    }

    private Value load(int k, Reg elementOffset) {
        DType t = kernel.operands().get(k).type().dtype();
        return Values.load(b, t, ElementAccess.address(b, inBase[k], elementOffset, t.itemSize()));
    }

    private void store(int s, Reg elementOffset, Value v) {
        DType t = kernel.stores().get(s).type().dtype();
        Values.store(b, t, ElementAccess.address(b, outBase[s], elementOffset, t.itemSize()), v);
    }

    private Reg pointer(String name) {
        Reg generic = b.loadParam(name, "u64", RegClass.R64);
        Reg global = b.r64();
        b.op("cvta.to.global.u64", global, generic);
        return global;
    }

    /** The operands the stores read (directly or inside reductions), ascending. */
    static Set<Integer> loadedOperands(Kernel k) {
        Set<Integer> out = new TreeSet<>();
        Set<Expr> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Expr> work = new ArrayList<>();
        for (Kernel.Store s : k.stores()) work.add(s.value());
        while (!work.isEmpty()) {
            Expr e = work.remove(work.size() - 1);
            if (!seen.add(e)) continue;
            if (e instanceof Expr.Load l) out.add(l.operand());
            else if (e instanceof Expr.Unary u) work.add(u.a());
            else if (e instanceof Expr.Binary bin) {
                work.add(bin.a());
                work.add(bin.b());
            } else if (e instanceof Expr.Select s) {
                work.add(s.cond());
                work.add(s.a());
                work.add(s.b());
            } else if (e instanceof Expr.Reduce r) work.add(r.body());
        }
        return out;
    }

}
