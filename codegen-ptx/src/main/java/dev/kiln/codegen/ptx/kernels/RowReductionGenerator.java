package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.GeneratedKernel;
import dev.kiln.codegen.ptx.LaunchConfig;
import dev.kiln.codegen.ptx.PtxKernel;
import dev.kiln.codegen.ptx.alu.PtxAluTable;
import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.Label;
import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.PtxTarget;
import dev.kiln.codegen.ptx.asm.Reg;
import dev.kiln.codegen.ptx.asm.RegClass;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Renders a {@link RowReductionSpec}: one block per row, threads striding over the row's columns, then a
 * {@link BlockReducer}. Softmax, log-softmax and layer norm take the usual two statistics passes and a write pass,
 * re-reading the row from global memory (it is in L1/L2 by then) rather than holding it in registers, so any row
 * length works with one kernel shape:
 * <ul>
 *   <li>softmax: {@code m = max x}; {@code s = sum exp(x - m)}; {@code y = exp(x - m) / s};</li>
 *   <li>log-softmax: same {@code m, s}; {@code y = (x - m) - log s};</li>
 *   <li>layer norm: {@code mu = sum x / n}; {@code var = sum (x - mu)^2 / n} (biased, as PyTorch);
 *       {@code y = (x - mu) / sqrt(var + eps) * w + b}.</li>
 * </ul>
 * Block size: the next power of two of the row length, between 32 and 256 threads.
 */
public final class RowReductionGenerator {
    private RowReductionGenerator() {}

    public static int threadsFor(long rowLength) {
        int t = 32;
        while (t < rowLength && t < 256) t <<= 1;
        return t;
    }

    public static GeneratedKernel generate(RowReductionSpec spec, PtxTarget target) {
        PtxBuilder b = new PtxBuilder(target, spec.name());
        long n = spec.rowLength();
        int threads = threadsFor(n);
        long[] shape = spec.shape();
        int last = shape.length - 1;

        Reg in = pointer(b, "in0");
        Reg weight = spec.hasWeight() ? pointer(b, "weight") : null;
        Reg bias = spec.hasBias() ? pointer(b, "bias") : null;
        Reg out = pointer(b, "out0");
        b.comment(spec.kind() + " over the last dim of " + Arrays.toString(shape) + ", " + threads + " threads per row");

        Reg row = b.r32();
        b.op("mov.u32", row, "%ctaid.x");
        Reg tid = b.r32();
        b.op("mov.u32", tid, "%tid.x");
        Label done = b.label("done");
        Reg outside = b.pred();
        b.op("setp.ge.u32", outside, row, spec.rows());
        b.braIf(outside, false, done);
        BlockReducer reducer = new BlockReducer(b, threads, tid);

        // Element offset of (row, 0): decompose the row index over the outer dims (collapsed for fewer divisions).
        Strides.Collapsed outer = Strides.collapse(Arrays.copyOf(shape, last),
                List.of(Arrays.copyOf(spec.input().strides(), last)));
        Reg rowBase = new IndexEmitter(b, outer.shape(), row).offset(outer.strides().get(0), spec.input().offset());
        long colStride = spec.input().strides()[last];
        Loader x = col -> {
            Reg off = b.r32();
            b.op("mad.lo.u32", off, col, colStride, rowBase);
            return ElementAccess.load(b, spec.input().dtype(), ElementAccess.address(b, in, off, 4));
        };

        switch (spec.kind()) {
            case SUM, MEAN, MAX -> {
                boolean max = spec.kind() == RowReductionSpec.Kind.MAX;
                String combine = max ? "max.NaN.f32" : "add.rn.f32";
                Reg acc = accumulate(b, reducer, tid, n, threads, max ? Float.NEGATIVE_INFINITY : 0.0f, combine, x::load);
                if (spec.kind() == RowReductionSpec.Kind.MEAN) b.op("div.rn.f32", acc, acc, (float) n);
                Reg first = b.pred();
                b.op("setp.eq.u32", first, tid, 0);
                Reg addr = ElementAccess.address(b, out, row, 4);
                b.opIf(first, false, "st.global.f32", PtxBuilder.addr(addr, 0), acc);
            }
            case SOFTMAX, LOG_SOFTMAX -> {
                Reg m = accumulate(b, reducer, tid, n, threads, Float.NEGATIVE_INFINITY, "max.NaN.f32", x::load);
                Reg s = accumulate(b, reducer, tid, n, threads, 0.0f, "add.rn.f32",
                        col -> PtxAluTable.emit(b, ScalarOp.EXP, PtxAluTable.emit(b, ScalarOp.SUB, x.load(col), m)));
                boolean log = spec.kind() == RowReductionSpec.Kind.LOG_SOFTMAX;
                Reg logS = log ? PtxAluTable.emit(b, ScalarOp.LOG, s) : null;
                Reg outRow = b.r32();
                b.op("mul.lo.u32", outRow, row, n);
                columns(b, tid, n, threads, col -> {
                    Reg shifted = PtxAluTable.emit(b, ScalarOp.SUB, x.load(col), m);
                    Reg y = log ? PtxAluTable.emit(b, ScalarOp.SUB, shifted, logS)
                            : PtxAluTable.emit(b, ScalarOp.DIV, PtxAluTable.emit(b, ScalarOp.EXP, shifted), s);
                    store(b, out, outRow, col, y);
                });
            }
            case LAYER_NORM -> {
                Reg mean = accumulate(b, reducer, tid, n, threads, 0.0f, "add.rn.f32", x::load);
                b.op("div.rn.f32", mean, mean, (float) n);
                Reg var = accumulate(b, reducer, tid, n, threads, 0.0f, "add.rn.f32", col -> {
                    Reg d = PtxAluTable.emit(b, ScalarOp.SUB, x.load(col), mean);
                    return PtxAluTable.emit(b, ScalarOp.MUL, d, d);
                });
                b.op("div.rn.f32", var, var, (float) n);
                Reg rstd = PtxAluTable.emit(b, ScalarOp.RSQRT, PtxAluTable.emit(b, ScalarOp.ADD, var, constant(b, (float) spec.eps())));
                Reg outRow = b.r32();
                b.op("mul.lo.u32", outRow, row, n);
                columns(b, tid, n, threads, col -> {
                    Reg y = PtxAluTable.emit(b, ScalarOp.MUL, PtxAluTable.emit(b, ScalarOp.SUB, x.load(col), mean), rstd);
                    if (weight != null) y = PtxAluTable.emit(b, ScalarOp.MUL, y, loadAt(b, weight, col));
                    if (bias != null) y = PtxAluTable.emit(b, ScalarOp.ADD, y, loadAt(b, bias, col));
                    store(b, out, outRow, col, y);
                });
            }
        }
        b.bind(done);
        long grid = Math.max(1, spec.rows());
        return new GeneratedKernel(new PtxKernel(spec.name(), b.build()), LaunchConfig.linear(grid, threads));
    }

    /** Loads the input element at a column of the current row. */
    @FunctionalInterface
    private interface Loader {
        Reg load(Reg col);
    }

    /** Value per column for {@link #accumulate}. */
    @FunctionalInterface
    private interface ColumnValue {
        Reg at(Reg col);
    }

    /** Per-thread partial of {@code combine} over the thread's columns, then reduced over the block. */
    private static Reg accumulate(PtxBuilder b, BlockReducer reducer, Reg tid, long n, int threads, float identity,
            String combine, ColumnValue value) {
        Reg acc = b.f32();
        b.op("mov.f32", acc, identity);
        columns(b, tid, n, threads, col -> b.op(combine, acc, acc, value.at(col)));
        reducer.reduce(acc, combine);
        return acc;
    }

    /** {@code for (col = tid; col < n; col += threads) body(col)}. */
    private static void columns(PtxBuilder b, Reg tid, long n, int threads, Consumer<Reg> body) {
        Reg col = b.r32();
        b.op("mov.u32", col, tid);
        Label loop = b.label("col");
        Label end = b.label("col_end");
        b.bind(loop);
        Reg p = b.pred();
        b.op("setp.ge.u32", p, col, n);
        b.braIf(p, false, end);
        body.accept(col);
        b.op("add.u32", col, col, threads);
        b.bra(loop);
        b.bind(end);
    }

    private static void store(PtxBuilder b, Reg out, Reg outRow, Reg col, Reg value) {
        Reg idx = b.r32();
        b.op("add.u32", idx, outRow, col);
        b.op("st.global.f32", PtxBuilder.addr(ElementAccess.address(b, out, idx, 4), 0), value);
    }

    private static Reg loadAt(PtxBuilder b, Reg base, Reg col) {
        Reg v = b.f32();
        b.op("ld.global.nc.f32", v, PtxBuilder.addr(ElementAccess.address(b, base, col, 4), 0));
        return v;
    }

    private static Reg constant(PtxBuilder b, float value) {
        Reg r = b.f32();
        b.op("mov.f32", r, value);
        return r;
    }

    private static Reg pointer(PtxBuilder b, String name) {
        Reg generic = b.loadParam(name, "u64", RegClass.R64);
        Reg global = b.r64();
        b.op("cvta.to.global.u64", global, generic);
        return global;
    }
}
