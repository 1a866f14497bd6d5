package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.GeneratedKernel;
import dev.kiln.codegen.ptx.LaunchConfig;
import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.asm.Label;
import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.asm.Reg;
import dev.kiln.ir.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Renders an {@link ElementwiseKernelSpec} as a grid-stride loop, one thread per element (or per four elements).
 *
 * <p>Two shapes of loop body:
 * <ul>
 *   <li><b>vector</b>: when every output is {@code f32}, every input is either an {@code f32} contiguous tensor
 *       whose offset keeps 16-byte alignment or a single broadcast value, and the element count is a multiple of 4,
 *       each thread moves 16 bytes per operand with {@code ld.global.nc.v4.f32}/{@code st.global.v4.f32} — the
 *       access width that reaches full memory bandwidth on Ampere and Hopper;</li>
 *   <li><b>scalar</b>: otherwise; coordinates come from the flat index ({@link IndexEmitter}) so any strides work.</li>
 * </ul>
 * Inputs with all-zero strides (broadcast scalars) are loaded once, before the loop. Shapes are baked in as
 * immediates: a kernel is specialised to its shapes, and the launch covers them.
 */
public final class ElementwiseKernelGenerator {
    /** Threads per block. */
    public static final int BLOCK = 256;
    /** Upper bound on blocks; the grid-stride loop covers the rest. */
    static final int MAX_BLOCKS = 65536;

    private ElementwiseKernelGenerator() {}

    public static GeneratedKernel generate(ElementwiseKernelSpec spec, PtxTarget target) {
        PtxBuilder b = new PtxBuilder(target, spec.name());
        List<long[]> strides = new ArrayList<>();
        for (TensorOperand in : spec.inputs()) strides.add(in.strides());
        Strides.Collapsed geo = Strides.collapse(spec.shape(), strides);
        boolean vector = vectorizable(spec, geo);
        long work = vector ? spec.numel() / 4 : spec.numel();

        Reg[] inBase = new Reg[spec.inputs().size()];
        for (int k = 0; k < inBase.length; k++) inBase[k] = globalPointer(b, "in" + k);
        Reg[] outBase = new Reg[spec.outputs().size()];
        for (int k = 0; k < outBase.length; k++) outBase[k] = globalPointer(b, "out" + k);

        b.comment("shape " + Arrays.toString(spec.shape()) + " collapsed to " + Arrays.toString(geo.shape())
                + (vector ? ", 4 elements per thread" : ", 1 element per thread"));
        Reg[] hoisted = new Reg[inBase.length];
        for (int k = 0; k < inBase.length; k++) {
            if (isBroadcastScalar(geo.strides().get(k))) {
                TensorOperand in = spec.inputs().get(k);
                Reg off = b.r32();
                b.op("mov.u32", off, in.offset());
                hoisted[k] = ElementAccess.load(b, in.dtype(), ElementAccess.address(b, inBase[k], off, in.dtype().itemSize()));
            }
        }
        Reg i = b.r32();
        Reg tid = b.r32();
        Reg cta = b.r32();
        b.op("mov.u32", tid, "%tid.x");
        b.op("mov.u32", cta, "%ctaid.x");
        b.op("mad.lo.u32", i, cta, BLOCK, tid);
        Reg step = b.r32();
        b.op("mov.u32", step, "%nctaid.x");
        b.op("mul.lo.u32", step, step, BLOCK);
        Label loop = b.label("loop");
        Label done = b.label("done");
        b.bind(loop);
        Reg p = b.pred();
        b.op("setp.ge.u32", p, i, work);
        b.braIf(p, false, done);
        if (vector) vectorBody(b, spec, inBase, outBase, hoisted, i);
        else scalarBody(b, spec, geo, inBase, outBase, hoisted, i);
        b.op("add.u32", i, i, step);
        b.bra(loop);
        b.bind(done);

        long blocks = Math.min(MAX_BLOCKS, (work + BLOCK - 1) / BLOCK);
        return new GeneratedKernel(new PtxKernel(spec.name(), b.build()), LaunchConfig.linear(blocks, BLOCK));
    }

    /** Whether {@code spec} gets the 16-byte-per-operand loop body. */
    static boolean vectorizable(ElementwiseKernelSpec spec, Strides.Collapsed geo) {
        if (spec.numel() == 0 || spec.numel() % 4 != 0) return false;
        for (ElementwiseKernelSpec.Output o : spec.outputs()) if (o.dtype() != DType.FLOAT32) return false;
        long[] contiguous = Strides.contiguous(geo.shape());
        for (int k = 0; k < spec.inputs().size(); k++) {
            TensorOperand in = spec.inputs().get(k);
            long[] s = geo.strides().get(k);
            if (isBroadcastScalar(s)) continue;
            if (in.dtype() != DType.FLOAT32 || !Arrays.equals(s, contiguous) || in.offset() % 4 != 0) return false;
        }
        return true;
    }

    private static boolean isBroadcastScalar(long[] strides) {
        for (long s : strides) if (s != 0) return false;
        return true;
    }

    private static Reg globalPointer(PtxBuilder b, String name) {
        Reg generic = b.loadParam(name, "u64", dev.kiln.codegen.ptx.asm.RegClass.R64);
        Reg global = b.r64();
        b.op("cvta.to.global.u64", global, generic);
        return global;
    }

    private static void scalarBody(PtxBuilder b, ElementwiseKernelSpec spec, Strides.Collapsed geo, Reg[] inBase,
            Reg[] outBase, Reg[] hoisted, Reg i) {
        IndexEmitter index = new IndexEmitter(b, geo.shape(), i);
        ExprEmitter expr = new ExprEmitter(b, k -> {
            if (hoisted[k] != null) return hoisted[k];
            TensorOperand in = spec.inputs().get(k);
            Reg off = index.offset(geo.strides().get(k), in.offset());
            return ElementAccess.load(b, in.dtype(), ElementAccess.address(b, inBase[k], off, in.dtype().itemSize()));
        });
        for (int k = 0; k < outBase.length; k++) {
            ElementwiseKernelSpec.Output o = spec.outputs().get(k);
            Reg v = expr.emit(o.value());
            ElementAccess.store(b, o.dtype(), ElementAccess.address(b, outBase[k], i, o.dtype().itemSize()), v);
        }
    }

    private static void vectorBody(PtxBuilder b, ElementwiseKernelSpec spec, Reg[] inBase, Reg[] outBase,
            Reg[] hoisted, Reg i) {
        Reg[][] lanes = new Reg[inBase.length][];
        for (int k = 0; k < inBase.length; k++) {
            if (hoisted[k] != null || !usedBy(spec, k)) continue;
            long offset = spec.inputs().get(k).offset();
            Reg addr = ElementAccess.address(b, inBase[k], i, 16);
            lanes[k] = new Reg[] {b.f32(), b.f32(), b.f32(), b.f32()};
            b.op("ld.global.nc.v4.f32", PtxBuilder.vec(lanes[k]), PtxBuilder.addr(addr, offset * 4));
        }
        Reg[][] results = new Reg[outBase.length][4];
        for (int lane = 0; lane < 4; lane++) {
            final int l = lane;
            ExprEmitter expr = new ExprEmitter(b, k -> hoisted[k] != null ? hoisted[k] : lanes[k][l]);
            for (int k = 0; k < outBase.length; k++) results[k][lane] = expr.emit(spec.outputs().get(k).value());
        }
        for (int k = 0; k < outBase.length; k++) {
            b.op("st.global.v4.f32", PtxBuilder.addr(ElementAccess.address(b, outBase[k], i, 16), 0), PtxBuilder.vec(results[k]));
        }
    }

    private static boolean usedBy(ElementwiseKernelSpec spec, int input) {
        for (ElementwiseKernelSpec.Output o : spec.outputs()) if (uses(o.value(), input)) return true;
        return false;
    }

    private static boolean uses(ScalarExpr e, int input) {
        if (e instanceof ScalarExpr.Input in) return in.index() == input;
        if (e instanceof ScalarExpr.Apply a) return a.args().stream().anyMatch(x -> uses(x, input));
        return false;
    }
}
