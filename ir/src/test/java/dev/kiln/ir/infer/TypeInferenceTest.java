package dev.kiln.ir.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.Op;
import dev.kiln.ir.text.IrParser;
import dev.kiln.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TypeInferenceTest {

    private static TensorType t(String s) { return (TensorType) IrParser.parseType(s); }

    /** Infers {@code op} over types given as text ("None" for absent) and returns the outputs as text. */
    private static String infer(Op op, Attrs attrs, String... inputs) {
        List<TensorType> in = new ArrayList<>();
        for (String s : inputs) in.add(s.equals("None") ? null : t(s));
        List<String> out = new ArrayList<>();
        for (TensorType r : TypeInference.infer(op, in, attrs)) out.add(r.toString());
        return String.join(", ", out);
    }

    private static String infer(Op op, String... inputs) { return infer(op, Attrs.defaults(op), inputs); }

    private static Attrs a(Op op, Object... kv) {
        Attrs.Builder b = Attrs.of(op);
        for (int i = 0; i < kv.length; i += 2) b.set((String) kv[i], kv[i + 1]);
        return b.build();
    }

    private static String error(Op op, Attrs attrs, String... inputs) {
        return assertThrows(TypeInferenceException.class, () -> infer(op, attrs, inputs)).getMessage();
    }

    @Test
    void tableCoversEveryOp() {
        Set<Op> missing = EnumSet.allOf(Op.class);
        missing.removeAll(TypeInference.table().keySet());
        assertEquals(Set.of(), missing);
    }

    @Test
    void elementwiseBroadcastsSymbolicDims() {
        assertEquals("f32[B, 16, 26, 26]", infer(Op.ADD, "f32[B, 16, 26, 26]", "f32[16, 1, 1]"));
        assertEquals("f32[B, S, 64]", infer(Op.MUL, "f32[B, 1, 64]", "f32[1, S, 64]"));
        assertEquals("bool[B*2, 3]", infer(Op.LT, "f32[B*2, 3]", "f32[2*B, 1]"));
        String e = error(Op.ADD, Attrs.defaults(Op.ADD), "f32[B, 3]", "f32[16, 3]");
        assertTrue(e.contains("aten::add") && e.contains("'other'") && e.contains("B") && e.contains("16"), e);
        e = error(Op.ADD, Attrs.defaults(Op.ADD), "f32[4, 3]", "f32[5, 3]");
        assertTrue(e.contains("found [5, 3]"), e);
    }

    @Test
    void promotionMirrorsPyTorchIncludingWrappedNumbers() {
        assertEquals("f32[B, 10]", infer(Op.MUL, "f32[B, 10]", "f64[]{wrapped}"));
        assertEquals("f32[3]", infer(Op.ADD, "i32[3]", "f64[]{wrapped}"));
        assertEquals("i32[3]", infer(Op.ADD, "i32[3]", "i64[]{wrapped}"));
        assertEquals("i64[3]", infer(Op.ADD, "bool[3]", "i64[]{wrapped}"));
        assertEquals("f32[3]", infer(Op.ADD, "f32[3]", "f64[]")); // 0-d tensor: lower priority, same category
        assertEquals("f64[]", infer(Op.ADD, "f32[]", "f64[]"));
        assertEquals("f64[3]", infer(Op.ADD, "f32[3]", "f64[3]"));
        assertEquals("f32[3]", infer(Op.DIV, "i64[3]", "i64[3]"));
        assertEquals("i64[3]", infer(Op.DIV, a(Op.DIV, "rounding_mode", "floor"), "i64[3]", "i64[]{wrapped}"));
        assertEquals("f32[2]", infer(Op.EXP, "i64[2]"));
        assertEquals("i64[2]", infer(Op.ABS, "i64[2]"));
        assertEquals("f32[2]", infer(Op.CLAMP, a(Op.CLAMP, "min", 0.5), "i32[2]"));
        assertEquals("f64[2]", infer(Op.TO_DTYPE, a(Op.TO_DTYPE, "dtype", DType.FLOAT64), "f32[2]"));
        assertTrue(error(Op.SUB, Attrs.defaults(Op.SUB), "bool[2]", "bool[2]").contains("aten::sub"));
        assertTrue(error(Op.GELU, Attrs.defaults(Op.GELU), "i64[2]").contains("floating-point"));
        assertTrue(error(Op.GELU, a(Op.GELU, "approximate", "fast"), "f32[2]").contains("\"fast\""));
    }

    @Test
    void whereAndMaskedFill() {
        assertEquals("f32[B, 4]", infer(Op.WHERE, "bool[B, 1]", "f32[B, 4]", "f32[]{wrapped}"));
        assertEquals("f32[B, H, S, S]", infer(Op.MASKED_FILL, "f32[B, H, S, S]", "bool[S, S]", "f32[]"));
        assertTrue(error(Op.WHERE, Attrs.defaults(Op.WHERE), "f32[2]", "f32[2]", "f32[2]").contains("condition"));
        assertTrue(error(Op.MASKED_FILL, Attrs.defaults(Op.MASKED_FILL), "f32[2]", "bool[2]", "f32[1]")
                .contains("'value'"));
    }

    @Test
    void reductions() {
        assertEquals("f32[B]", infer(Op.SUM, a(Op.SUM, "dim", new long[] {-1}), "f32[B, 10]"));
        assertEquals("i64[]", infer(Op.SUM, "i32[B, 10]"));
        assertEquals("f32[B, 1]", infer(Op.MEAN, a(Op.MEAN, "dim", new long[] {1}, "keepdim", true), "f32[B, 10]"));
        assertTrue(error(Op.MEAN, Attrs.defaults(Op.MEAN), "i64[3]").contains("floating-point"));
        assertEquals("f32[B], i64[B]", infer(Op.MAX_DIM, a(Op.MAX_DIM, "dim", 1), "f32[B, 10]"));
        assertEquals("i64[]", infer(Op.ARGMAX, "f32[B, 10]"));
        assertEquals("i64[B, 1]", infer(Op.ARGMAX, a(Op.ARGMAX, "dim", 1, "keepdim", true), "f32[B, 10]"));
        assertEquals("f32[]", infer(Op.MIN, "f32[B, 10]"));
        assertEquals("f64[B, 10]", infer(Op.SOFTMAX, a(Op.SOFTMAX, "dim", -1, "dtype", DType.FLOAT64),
                "f32[B, 10]"));
        String e = error(Op.SUM, a(Op.SUM, "dim", new long[] {2}), "f32[B, 10]");
        assertTrue(e.contains("aten::sum: argument 'dim' expected a dim in [-2, 1], found 2"), e);
        assertTrue(error(Op.SUM, a(Op.SUM, "dim", new long[] {1, -1}), "f32[B, 10]").contains("at most once"));
    }

    @Test
    void matmulFamily() {
        assertEquals("f32[B, S, S]", infer(Op.MATMUL, "f32[B, S, 64]", "f32[B, 64, S]"));
        assertEquals("f32[B, H, S, S]", infer(Op.MATMUL, "f32[B, H, S, 64]", "f32[B, H, 64, S]"));
        assertEquals("f32[B, 10]", infer(Op.MATMUL, "f32[B, 64]", "f32[64, 10]"));
        assertEquals("f32[]", infer(Op.MATMUL, "f32[64]", "f32[64]"));
        assertEquals("f32[B]", infer(Op.MATMUL, "f32[B, 64]", "f32[64]"));
        assertEquals("f32[B, 7, 4, 3]", infer(Op.MATMUL, "f32[B, 1, 4, 5]", "f32[7, 5, 3]"));
        assertTrue(error(Op.MATMUL, Attrs.defaults(Op.MATMUL), "f32[7, 1, 5]", "f32[B, 5, 3]").contains("7 and B"));
        assertEquals("f32[B, 10]", infer(Op.MM, "f32[B, 64]", "f32[64, 10]"));
        assertEquals("f32[B, 2, 5]", infer(Op.BMM, "f32[B, 2, 3]", "f32[B, 3, 5]"));
        assertEquals("f32[B, S, 256]", infer(Op.LINEAR, "f32[B, S, 64]", "f32[256, 64]", "f32[256]"));
        assertEquals("f32[B, 10]", infer(Op.LINEAR, "f32[B, 64]", "f32[10, 64]", "None"));
        String e = error(Op.MATMUL, Attrs.defaults(Op.MATMUL), "f32[B, 64]", "f32[32, 10]");
        assertTrue(e.contains("aten::matmul: argument 'other'") && e.contains("64"), e);
        assertTrue(error(Op.MM, Attrs.defaults(Op.MM), "f32[2, 3]", "f64[3, 2]").contains("dtype f32"));
        assertTrue(error(Op.LINEAR, Attrs.defaults(Op.LINEAR), "f32[B, 64]", "f32[10, 32]", "None")
                .contains("'weight'"));
    }

    @Test
    void conv2dAndPoolingWithSymbolicBatchAndSize() {
        assertEquals("f32[B, 16, 26, 26]", infer(Op.CONV2D, "f32[B, 1, 28, 28]", "f32[16, 1, 3, 3]", "f32[16]"));
        Attrs strided = a(Op.CONV2D, "stride", new long[] {2, 2}, "padding", new long[] {1, 1});
        assertEquals("f32[B, 64, 112, 112]", infer(Op.CONV2D, strided, "f32[B, 3, 224, 224]", "f32[64, 3, 3, 3]",
                "None"));
        assertEquals("f32[B, 64, floordiv(H+1, 2), floordiv(W+1, 2)]",
                infer(Op.CONV2D, strided, "f32[B, 3, H, W]", "f32[64, 3, 3, 3]", "None"));
        assertEquals("f32[B, 8, H-2, W-2]", infer(Op.CONV2D, a(Op.CONV2D, "groups", 2), "f32[B, 4, H, W]",
                "f32[8, 2, 3, 3]", "None"));
        String e = error(Op.CONV2D, Attrs.defaults(Op.CONV2D), "f32[B, 3, 28, 28]", "f32[16, 1, 3, 3]", "None");
        assertTrue(e.contains("aten::conv2d: argument 'input'"), e);
        assertEquals("f32[B, 16, 13, 13]", infer(Op.MAX_POOL2D, a(Op.MAX_POOL2D, "kernel_size", new long[] {2}),
                "f32[B, 16, 26, 26]"));
        assertEquals("f32[B, 16, 14, 14]", infer(Op.MAX_POOL2D, a(Op.MAX_POOL2D, "kernel_size", new long[] {2},
                "ceil_mode", true), "f32[B, 16, 27, 27]"));
        assertTrue(error(Op.MAX_POOL2D, a(Op.MAX_POOL2D, "kernel_size", new long[] {2}, "ceil_mode", true),
                "f32[B, 16, H, H]").contains("ceil_mode"));
        assertEquals("f32[B, 16, floordiv(H, 2), 4]", infer(Op.AVG_POOL2D, a(Op.AVG_POOL2D, "kernel_size",
                new long[] {2}), "f32[B, 16, H, 8]"));
        assertEquals("f32[B, 512, 1, 1]", infer(Op.ADAPTIVE_AVG_POOL2D, a(Op.ADAPTIVE_AVG_POOL2D, "output_size",
                new long[] {1, 1}), "f32[B, 512, H, W]"));
    }

    @Test
    void normalisationEmbeddingDropout() {
        assertEquals("f32[B, 16, H, W]", infer(Op.BATCH_NORM, "f32[B, 16, H, W]", "f32[16]", "f32[16]", "f32[16]",
                "f32[16]"));
        assertTrue(error(Op.BATCH_NORM, Attrs.defaults(Op.BATCH_NORM), "f32[B, 16, H, W]", "None", "None", "None",
                "None").contains("'running_mean'"));
        assertEquals("f32[B, S, 64]", infer(Op.LAYER_NORM, a(Op.LAYER_NORM, "normalized_shape", new long[] {64}),
                "f32[B, S, 64]", "f32[64]", "f32[64]"));
        assertTrue(error(Op.LAYER_NORM, a(Op.LAYER_NORM, "normalized_shape", new long[] {32}), "f32[B, S, 64]",
                "None", "None").contains("normalized_shape"));
        assertEquals("f32[B, S, 64]", infer(Op.EMBEDDING, "f32[1000, 64]", "i64[B, S]"));
        assertTrue(error(Op.EMBEDDING, Attrs.defaults(Op.EMBEDDING), "f32[1000, 64]", "f32[B, S]")
                .contains("'indices'"));
        assertEquals("f32[B, 64]", infer(Op.DROPOUT, "f32[B, 64]"));
    }

    @Test
    void viewAndReshapeInferMinusOneOverSymbols() {
        assertEquals("f32[B, 10816]", infer(Op.VIEW, a(Op.VIEW, "size", new long[] {-1, 10816}),
                "f32[B, 16, 26, 26]"));
        assertEquals("f32[B*S, 4, 16]", infer(Op.RESHAPE, a(Op.RESHAPE, "shape", new long[] {-1, 4, 16}),
                "f32[B, S, 64]"));
        assertEquals("f32[2, 6]", infer(Op.VIEW, a(Op.VIEW, "size", new long[] {2, 6}), "f32[3, 4]"));
        String e = error(Op.VIEW, a(Op.VIEW, "size", new long[] {-1, 8}), "f32[B, 4]");
        assertTrue(e.contains("aten::view: argument 'size'") && e.contains("B*4"), e);
        e = error(Op.RESHAPE, a(Op.RESHAPE, "shape", new long[] {2, 2}), "f32[B, 4]");
        assertTrue(e.contains("aten::reshape: argument 'shape' expected a shape with B*4 elements"), e);
        assertTrue(error(Op.VIEW, a(Op.VIEW, "size", new long[] {-1, -1}), "f32[4]").contains("at most one -1"));
        assertEquals("f32[B, 10816]", infer(Op.FLATTEN, a(Op.FLATTEN, "start_dim", 1), "f32[B, 16, 26, 26]"));
        assertEquals("f32[B*16, 26, 26]", infer(Op.FLATTEN, a(Op.FLATTEN, "end_dim", 1), "f32[B, 16, 26, 26]"));
    }

    @Test
    void viewOpsAndJoins() {
        assertEquals("f32[B, 64, S]", infer(Op.TRANSPOSE, a(Op.TRANSPOSE, "dim0", 1, "dim1", 2), "f32[B, S, 64]"));
        assertEquals("f32[B, 4, S, 16]", infer(Op.PERMUTE, a(Op.PERMUTE, "dims", new long[] {0, 2, 1, 3}),
                "f32[B, S, 4, 16]"));
        assertTrue(error(Op.PERMUTE, a(Op.PERMUTE, "dims", new long[] {0, 0}), "f32[2, 3]").contains("each dim once"));
        assertEquals("f32[B, 64]", infer(Op.SELECT, a(Op.SELECT, "dim", 1, "index", 0), "f32[B, S, 64]"));
        assertEquals("f32[B, 3, 64]", infer(Op.SLICE, a(Op.SLICE, "dim", 1, "start", 2, "end", -1), "f32[B, 6, 64]"));
        assertEquals("f32[floordiv(B+1, 2), 6]", infer(Op.SLICE, a(Op.SLICE, "step", 2), "f32[B, 6]"));
        assertTrue(error(Op.SLICE, a(Op.SLICE, "start", 1), "f32[B, 6]").contains("'start'"));
        assertEquals("f32[B, 4, 64]", infer(Op.EXPAND, a(Op.EXPAND, "size", new long[] {-1, 4, 64}), "f32[B, 1, 64]"));
        assertTrue(error(Op.EXPAND, a(Op.EXPAND, "size", new long[] {8, 64}), "f32[B, 64]").contains("'size'"));
        assertEquals("f32[B, 64]", infer(Op.SQUEEZE, a(Op.SQUEEZE, "dim", 1), "f32[B, 1, 64]"));
        assertTrue(error(Op.SQUEEZE, Attrs.defaults(Op.SQUEEZE), "f32[B, 1]").contains("depends"));
        assertEquals("f32[B, 1, 64]", infer(Op.UNSQUEEZE, a(Op.UNSQUEEZE, "dim", 1), "f32[B, 64]"));
        assertEquals("f32[B, S+1, 64]", infer(Op.CAT, a(Op.CAT, "dim", 1), "f32[B, 1, 64]", "f32[B, S, 64]"));
        assertEquals("f64[B, 3]", infer(Op.CAT, a(Op.CAT, "dim", 1), "f32[B, 1]", "f64[B, 2]", "f32[0]"));
        assertTrue(error(Op.CAT, Attrs.defaults(Op.CAT), "f32[B, 1]", "f32[B, 2]").contains("position 1"));
        assertEquals("f32[B, 3, 64]", infer(Op.STACK, a(Op.STACK, "dim", 1), "f32[B, 64]", "f32[B, 64]",
                "f32[B, 64]"));
        assertEquals("f32[B, 4], f32[B, 4], f32[B, 2]", infer(Op.SPLIT, a(Op.SPLIT, "split_size", 4, "dim", 1),
                "f32[B, 10]"));
        assertEquals("f32[B, 4], f32[B, 4], f32[B, 2]", infer(Op.CHUNK, a(Op.CHUNK, "chunks", 3, "dim", 1),
                "f32[B, 10]"));
        assertTrue(error(Op.CHUNK, a(Op.CHUNK, "chunks", 2), "f32[B, 10]").contains("constant size at dim 0"));
        assertEquals("f32[S, S]", infer(Op.TRIU, "f32[S, S]"));
    }

    @Test
    void factories() {
        assertEquals("f32[2, 3]", infer(Op.ZEROS, a(Op.ZEROS, "size", new long[] {2, 3})));
        assertEquals("i64[4]", infer(Op.FULL, a(Op.FULL, "size", new long[] {4}, "fill_value", 1L,
                "dtype", DType.INT64)));
        assertEquals("i64[5]", infer(Op.ARANGE, a(Op.ARANGE, "end", 5L)));
        assertEquals("f32[4]", infer(Op.ARANGE, a(Op.ARANGE, "start", 0L, "end", 1L, "step", 0.3)));
        assertTrue(error(Op.RANDN, a(Op.RANDN, "size", new long[] {2}, "dtype", DType.INT64)).contains("'dtype'"));
        assertTrue(error(Op.ARANGE, a(Op.ARANGE, "end", -1L)).contains("sign"));
    }

    @Test
    void arityIsCheckedBeforeTheRule() {
        String e = assertThrows(TypeInferenceException.class,
                () -> TypeInference.infer(Op.RELU, List.of(t("f32[2]"), t("f32[2]")), Attrs.defaults(Op.RELU)))
                .getMessage();
        assertEquals("aten::relu: expected 1 tensor input(s) (self), found 2", e);
        e = assertThrows(TypeInferenceException.class,
                () -> TypeInference.infer(Op.LINEAR, Arrays.asList(t("f32[2]"), null, null),
                        Attrs.defaults(Op.LINEAR))).getMessage();
        assertEquals("aten::linear: argument 'weight' expected a tensor, found None", e);
        e = assertThrows(TypeInferenceException.class,
                () -> TypeInference.infer(Op.CAT, List.of(), Attrs.defaults(Op.CAT))).getMessage();
        assertTrue(e.contains("at least 1"), e);
    }
}
