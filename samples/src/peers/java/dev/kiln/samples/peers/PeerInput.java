package dev.kiln.samples.peers;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.samples.ConformanceCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The input data of one run, the same for every engine: a fixture example ({@code input0}/{@code input1}) or a batch
 * of {@code n} built from {@code input0} by repeating its rows (row {@code i} is row {@code i mod b0}), so every
 * engine sees identical numbers and no random data is involved.
 *
 * @param description how the data was made, for messages
 * @param tensors     the model's inputs in argument order (contiguous; float32 or int64)
 */
public record PeerInput(String description, List<Tensor> tensors) {

    /** The fixture's example {@code index} (0 or 1). */
    public static PeerInput example(PeerCase c, int index) {
        return new PeerInput("input" + index, ConformanceCase.inputs(c.dir(), index));
    }

    /** A batch of {@code n} rows (dim 0) tiled from {@code input0}. */
    public static PeerInput batch(PeerCase c, int n) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : ConformanceCase.inputs(c.dir(), 0)) out.add(tileRows(t, n));
        return new PeerInput("batch " + n + " (rows of input0 repeated)", out);
    }

    /** Dim-0 size of the first input. */
    public long batchSize() { return tensors.get(0).shape()[0]; }

    private static Tensor tileRows(Tensor t, int n) {
        long[] shape = t.shape();
        if (shape.length == 0) throw new IllegalArgumentException("cannot batch a 0-d input");
        int rows = (int) shape[0];
        int rowLen = rows == 0 ? 0 : (int) (t.numel() / rows);
        long[] outShape = shape.clone();
        outShape[0] = n;
        if (t.dtype() == DType.FLOAT32) {
            float[] src = t.contiguous().toFloatArray();
            float[] dst = new float[n * rowLen];
            for (int i = 0; i < n; i++) System.arraycopy(src, (i % rows) * rowLen, dst, i * rowLen, rowLen);
            return Tensor.wrap(dst, outShape);
        }
        if (t.dtype() == DType.INT64) {
            long[] src = t.contiguous().toLongArray();
            long[] dst = new long[n * rowLen];
            for (int i = 0; i < n; i++) System.arraycopy(src, (i % rows) * rowLen, dst, i * rowLen, rowLen);
            return Tensor.wrap(dst, outShape);
        }
        throw new IllegalArgumentException("peer inputs must be float32 or int64, found " + t.dtype() + " of shape "
                + Arrays.toString(shape));
    }
}
