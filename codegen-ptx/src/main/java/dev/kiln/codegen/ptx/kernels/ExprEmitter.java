package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.alu.PtxAluTable;
import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Emits {@link ScalarExpr}s for one element: inputs are loaded on first use through the supplied loader,
 * each distinct subtree is emitted once (memoised on structural equality), constants are materialised once.
 *
 * <p>Legalisation before the op table: {@code pow} with a constant exponent 1, 2, 3, 0.5 or -1 becomes
 * multiplications, {@code sqrt} or {@code rcp}, which are exact where the general {@code ex2/lg2} form is not.
 * One emitter serves one element (one iteration of the kernel loop); make a new one for the next.
 */
public final class ExprEmitter {
    private final PtxBuilder b;
    private final IntFunction<Reg> inputLoader;
    private final Map<ScalarExpr, Reg> done = new HashMap<>();

    public ExprEmitter(PtxBuilder b, IntFunction<Reg> inputLoader) {
        this.b = b;
        this.inputLoader = inputLoader;
    }

    /** The f32 register holding {@code e}'s value. */
    public Reg emit(ScalarExpr e) {
        Reg r = done.get(e);
        if (r != null) return r;
        if (e instanceof ScalarExpr.Input in) {
            r = inputLoader.apply(in.index());
        } else if (e instanceof ScalarExpr.Const c) {
            r = b.f32();
            b.op("mov.f32", r, c.value());
        } else {
            r = apply((ScalarExpr.Apply) e);
        }
        done.put(e, r);
        return r;
    }

    private Reg apply(ScalarExpr.Apply a) {
        if (a.op() == ScalarOp.POW && a.args().get(1) instanceof ScalarExpr.Const c) {
            Reg x = emit(a.args().get(0));
            float y = c.value();
            if (y == 1f) return x;
            if (y == 2f) return PtxAluTable.emit(b, ScalarOp.MUL, x, x);
            if (y == 3f) return PtxAluTable.emit(b, ScalarOp.MUL, PtxAluTable.emit(b, ScalarOp.MUL, x, x), x);
            if (y == 0.5f) return PtxAluTable.emit(b, ScalarOp.SQRT, x);
            if (y == -1f) return PtxAluTable.emit(b, ScalarOp.RECIP, x);
        }
        Reg[] args = new Reg[a.args().size()];
        for (int i = 0; i < args.length; i++) args[i] = emit(a.args().get(i));
        return PtxAluTable.emit(b, a.op(), args);
    }
}
