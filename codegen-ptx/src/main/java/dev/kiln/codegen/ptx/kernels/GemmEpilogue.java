package dev.kiln.codegen.ptx.kernels;

import dev.kiln.codegen.ptx.alu.PtxAluTable;
import dev.kiln.codegen.ptx.alu.ScalarOp;
import dev.kiln.codegen.ptx.asm.PtxBuilder;
import dev.kiln.codegen.ptx.asm.Reg;

/**
 * Writes a thread's accumulators to C: {@code c[row][col] = act(acc + bias[col])} for the rows and columns the
 * thread owns, skipping those outside {@code M x N}. The bias is added after the full inner product (as
 * {@code addmm} with beta = 1 does) and the activation after the bias.
 */
final class GemmEpilogue {
    private GemmEpilogue() {}

    /**
     * @param rows absolute row index registers, one per accumulator row
     * @param cols absolute column index registers, one per accumulator column
     * @param acc  {@code acc[i][j]} holds C at {@code (rows[i], cols[j])}
     * @param bias global address of the bias, or null
     */
    static void emit(PtxBuilder b, GemmSpec spec, Reg c, Reg bias, Reg m, Reg n, Reg[] rows, Reg[] cols, Reg[][] acc) {
        Reg[] colValid = new Reg[cols.length];
        Reg[] colBytes = new Reg[cols.length];
        Reg[] biasValue = new Reg[cols.length];
        for (int j = 0; j < cols.length; j++) {
            colValid[j] = b.pred();
            b.op("setp.lt.u32", colValid[j], cols[j], n);
            colBytes[j] = b.r64();
            b.op("mul.wide.u32", colBytes[j], cols[j], 4);
            if (bias != null) {
                biasValue[j] = b.f32();
                b.op("mov.f32", biasValue[j], 0.0f);
                Reg addr = b.r64();
                b.op("add.s64", addr, bias, colBytes[j]);
                b.opIf(colValid[j], false, "ld.global.nc.f32", biasValue[j], PtxBuilder.addr(addr, 0));
            }
        }
        for (int i = 0; i < rows.length; i++) {
            Reg rowValid = b.pred();
            b.op("setp.lt.u32", rowValid, rows[i], m);
            Reg rowElem = b.r32();
            b.op("mul.lo.u32", rowElem, rows[i], n);
            Reg rowPtr = ElementAccess.address(b, c, rowElem, 4);
            for (int j = 0; j < cols.length; j++) {
                Reg v = acc[i][j];
                if (bias != null) v = PtxAluTable.emit(b, ScalarOp.ADD, v, biasValue[j]);
                if (spec.activation() != null) v = PtxAluTable.emit(b, spec.activation(), v);
                Reg ok = b.pred();
                b.op("and.pred", ok, rowValid, colValid[j]);
                Reg addr = b.r64();
                b.op("add.s64", addr, rowPtr, colBytes[j]);
                b.opIf(ok, false, "st.global.f32", PtxBuilder.addr(addr, 0), v);
            }
        }
    }
}
