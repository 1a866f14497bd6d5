package dev.kiln.ir;

import static dev.kiln.ir.AttrSpec.optional;
import static dev.kiln.ir.AttrSpec.required;
import static dev.kiln.ir.AttrSpec.withDefault;
import static dev.kiln.ir.AttrType.BOOL;
import static dev.kiln.ir.AttrType.DTYPE;
import static dev.kiln.ir.AttrType.FLOAT;
import static dev.kiln.ir.AttrType.INT;
import static dev.kiln.ir.AttrType.INT_LIST;
import static dev.kiln.ir.AttrType.SCALAR;
import static dev.kiln.ir.AttrType.SHAPE;
import static dev.kiln.ir.AttrType.STRING;
import static dev.kiln.ir.OpTrait.COMMUTATIVE;
import static dev.kiln.ir.OpTrait.ELEMENTWISE;
import static dev.kiln.ir.OpTrait.FACTORY;
import static dev.kiln.ir.OpTrait.PREDICATE;
import static dev.kiln.ir.OpTrait.RANDOM;
import static dev.kiln.ir.OpTrait.REDUCTION;
import static dev.kiln.ir.OpTrait.VARIADIC;


import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The op catalogue: every operation Kiln knows, each defined once with its {@link OpSchema}.
 *
 * <p>Ops are named and behave like their ATen namesakes (same argument names and order, broadcasting and
 * type promotion); ops Kiln adds live in the {@code kiln::} namespace. Scalars in arithmetic are passed as
 * 0-d "wrapped number" tensors, as ATen does, so {@code x * 1.5} is {@code aten::mul(x, 1.5)} with two tensor
 * inputs. Every module that gives ops behaviour (eager kernels, gradients, lowerings) keeps one table keyed by
 * {@code Op} and tests that it covers the catalogue.
 */
public enum Op {
    // ---- elementwise binary (broadcasting, type promotion) ----
    ADD("aten::add", in("self", "other"), attrs(withDefault("alpha", SCALAR, 1L)), ELEMENTWISE, COMMUTATIVE),
    SUB("aten::sub", in("self", "other"), attrs(withDefault("alpha", SCALAR, 1L)), ELEMENTWISE),
    MUL("aten::mul", in("self", "other"), attrs(), ELEMENTWISE, COMMUTATIVE),
    /** {@code rounding_mode}: absent (true division), {@code "trunc"} or {@code "floor"}. */
    DIV("aten::div", in("self", "other"), attrs(optional("rounding_mode", STRING)), ELEMENTWISE),
    POW("aten::pow", in("self", "exponent"), attrs(), ELEMENTWISE),
    MAXIMUM("aten::maximum", in("self", "other"), attrs(), ELEMENTWISE, COMMUTATIVE),
    MINIMUM("aten::minimum", in("self", "other"), attrs(), ELEMENTWISE, COMMUTATIVE),
    EQ("aten::eq", in("self", "other"), attrs(), ELEMENTWISE, COMMUTATIVE, PREDICATE),
    NE("aten::ne", in("self", "other"), attrs(), ELEMENTWISE, COMMUTATIVE, PREDICATE),
    LT("aten::lt", in("self", "other"), attrs(), ELEMENTWISE, PREDICATE),
    LE("aten::le", in("self", "other"), attrs(), ELEMENTWISE, PREDICATE),
    GT("aten::gt", in("self", "other"), attrs(), ELEMENTWISE, PREDICATE),
    GE("aten::ge", in("self", "other"), attrs(), ELEMENTWISE, PREDICATE),
    LOGICAL_AND("aten::logical_and", in("self", "other"), attrs(), ELEMENTWISE, COMMUTATIVE, PREDICATE),
    LOGICAL_OR("aten::logical_or", in("self", "other"), attrs(), ELEMENTWISE, COMMUTATIVE, PREDICATE),
    /** {@code where(condition, self, other)}: self where condition is true, else other. */
    WHERE("aten::where", in("condition", "self", "other"), attrs(), ELEMENTWISE),
    /** {@code masked_fill(self, mask, value)}: value is a 0-d tensor, as in ATen's {@code masked_fill.Tensor}. */
    MASKED_FILL("aten::masked_fill", in("self", "mask", "value"), attrs(), ELEMENTWISE),

    // ---- elementwise unary ----
    ABS("aten::abs", in("self"), attrs(), ELEMENTWISE),
    NEG("aten::neg", in("self"), attrs(), ELEMENTWISE),
    EXP("aten::exp", in("self"), attrs(), ELEMENTWISE),
    LOG("aten::log", in("self"), attrs(), ELEMENTWISE),
    SQRT("aten::sqrt", in("self"), attrs(), ELEMENTWISE),
    RSQRT("aten::rsqrt", in("self"), attrs(), ELEMENTWISE),
    SIN("aten::sin", in("self"), attrs(), ELEMENTWISE),
    COS("aten::cos", in("self"), attrs(), ELEMENTWISE),
    RECIPROCAL("aten::reciprocal", in("self"), attrs(), ELEMENTWISE),
    LOGICAL_NOT("aten::logical_not", in("self"), attrs(), ELEMENTWISE, PREDICATE),
    SIGMOID("aten::sigmoid", in("self"), attrs(), ELEMENTWISE),
    TANH("aten::tanh", in("self"), attrs(), ELEMENTWISE),
    RELU("aten::relu", in("self"), attrs(), ELEMENTWISE),
    /** {@code approximate}: {@code "none"} (erf) or {@code "tanh"}. */
    GELU("aten::gelu", in("self"), attrs(withDefault("approximate", STRING, "none")), ELEMENTWISE),
    SILU("aten::silu", in("self"), attrs(), ELEMENTWISE),
    ELU("aten::elu", in("self"), attrs(withDefault("alpha", SCALAR, 1.0)), ELEMENTWISE),
    LEAKY_RELU("aten::leaky_relu", in("self"), attrs(withDefault("negative_slope", SCALAR, 0.01)), ELEMENTWISE),
    SOFTPLUS("aten::softplus", in("self"),
            attrs(withDefault("beta", SCALAR, 1.0), withDefault("threshold", SCALAR, 20.0)), ELEMENTWISE),
    HARDTANH("aten::hardtanh", in("self"),
            attrs(withDefault("min_val", SCALAR, -1.0), withDefault("max_val", SCALAR, 1.0)), ELEMENTWISE),
    CLAMP("aten::clamp", in("self"), attrs(optional("min", SCALAR), optional("max", SCALAR)), ELEMENTWISE),
    /** Converts to another dtype ({@code Tensor.to(dtype)}); a copy even when the dtype is unchanged. */
    TO_DTYPE("aten::to", in("self"), attrs(required("dtype", DTYPE)), ELEMENTWISE),
    /** A fresh contiguous copy ({@code clone}); used also for {@code contiguous()} of a non-contiguous tensor. */
    CLONE("aten::clone", in("self"), attrs(), ELEMENTWISE),

    // ---- reductions ----
    /** {@code dim} empty means all dims. */
    SUM("aten::sum", in("self"), attrs(withDefault("dim", INT_LIST, new long[0]),
            withDefault("keepdim", BOOL, false), optional("dtype", DTYPE)), REDUCTION),
    MEAN("aten::mean", in("self"), attrs(withDefault("dim", INT_LIST, new long[0]),
            withDefault("keepdim", BOOL, false), optional("dtype", DTYPE)), REDUCTION),
    /** Maximum of all elements (a 0-d tensor). */
    MAX("aten::max", in("self"), attrs(), REDUCTION),
    /** {@code max(dim, keepdim)}: two outputs, values and int64 indices. */
    MAX_DIM("aten::max.dim", in("self"), attrs(required("dim", INT), withDefault("keepdim", BOOL, false)), 2,
            REDUCTION),
    MIN("aten::min", in("self"), attrs(), REDUCTION),
    MIN_DIM("aten::min.dim", in("self"), attrs(required("dim", INT), withDefault("keepdim", BOOL, false)), 2,
            REDUCTION),
    /** {@code dim} absent: index into the flattened tensor. */
    ARGMAX("aten::argmax", in("self"), attrs(optional("dim", INT), withDefault("keepdim", BOOL, false)), REDUCTION),
    ARGMIN("aten::argmin", in("self"), attrs(optional("dim", INT), withDefault("keepdim", BOOL, false)), REDUCTION),
    SOFTMAX("aten::softmax", in("self"), attrs(required("dim", INT), optional("dtype", DTYPE)), REDUCTION),
    LOG_SOFTMAX("aten::log_softmax", in("self"), attrs(required("dim", INT), optional("dtype", DTYPE)), REDUCTION),

    // ---- linear algebra ----
    MATMUL("aten::matmul", in("self", "other"), attrs()),
    MM("aten::mm", in("self", "mat2"), attrs()),
    BMM("aten::bmm", in("self", "mat2"), attrs()),
    /** {@code y = x W^T + b}; weight is {@code [out, in]}. */
    LINEAR("aten::linear", inOpt("input", "weight", "bias?"), attrs()),

    // ---- neural network ----
    CONV2D("aten::conv2d", inOpt("input", "weight", "bias?"), attrs(
            withDefault("stride", INT_LIST, new long[] {1, 1}), withDefault("padding", INT_LIST, new long[] {0, 0}),
            withDefault("dilation", INT_LIST, new long[] {1, 1}), withDefault("groups", INT, 1L))),
    MAX_POOL2D("aten::max_pool2d", in("self"), attrs(required("kernel_size", INT_LIST),
            withDefault("stride", INT_LIST, new long[0]), withDefault("padding", INT_LIST, new long[] {0, 0}),
            withDefault("dilation", INT_LIST, new long[] {1, 1}), withDefault("ceil_mode", BOOL, false))),
    AVG_POOL2D("aten::avg_pool2d", in("self"), attrs(required("kernel_size", INT_LIST),
            withDefault("stride", INT_LIST, new long[0]), withDefault("padding", INT_LIST, new long[] {0, 0}),
            withDefault("ceil_mode", BOOL, false), withDefault("count_include_pad", BOOL, true),
            optional("divisor_override", INT))),
    ADAPTIVE_AVG_POOL2D("aten::adaptive_avg_pool2d", in("self"), attrs(required("output_size", INT_LIST))),
    BATCH_NORM("aten::batch_norm", inOpt("input", "weight?", "bias?", "running_mean?", "running_var?"), attrs(
            withDefault("training", BOOL, false), withDefault("momentum", FLOAT, 0.1),
            withDefault("eps", FLOAT, 1e-5))),
    LAYER_NORM("aten::layer_norm", inOpt("input", "weight?", "bias?"), attrs(required("normalized_shape", INT_LIST),
            withDefault("eps", FLOAT, 1e-5))),
    EMBEDDING("aten::embedding", in("weight", "indices"), attrs(withDefault("padding_idx", INT, -1L))),
    /** In training mode draws a mask from the generator; identity (a copy) when {@code train} is false. */
    DROPOUT("aten::dropout", in("input"), attrs(withDefault("p", FLOAT, 0.5), withDefault("train", BOOL, false),
            optional("seed", INT)), RANDOM),

    // ---- shape and views ----
    VIEW("aten::view", in("self"), attrs(required("size", SHAPE)), OpTrait.VIEW),
    RESHAPE("aten::reshape", in("self"), attrs(required("shape", SHAPE))),
    TRANSPOSE("aten::transpose", in("self"), attrs(required("dim0", INT), required("dim1", INT)), OpTrait.VIEW),
    PERMUTE("aten::permute", in("self"), attrs(required("dims", INT_LIST)), OpTrait.VIEW),
    SELECT("aten::select", in("self"), attrs(required("dim", INT), required("index", INT)), OpTrait.VIEW),
    /** {@code slice(dim, start, end, step)}; {@code narrow} is a slice with step 1. */
    SLICE("aten::slice", in("self"), attrs(withDefault("dim", INT, 0L), optional("start", INT),
            optional("end", INT), withDefault("step", INT, 1L)), OpTrait.VIEW),
    EXPAND("aten::expand", in("self"), attrs(required("size", SHAPE)), OpTrait.VIEW),
    /** {@code dim} absent: squeeze every size-1 dim. */
    SQUEEZE("aten::squeeze", in("self"), attrs(optional("dim", INT)), OpTrait.VIEW),
    UNSQUEEZE("aten::unsqueeze", in("self"), attrs(required("dim", INT)), OpTrait.VIEW),
    FLATTEN("aten::flatten", in("self"), attrs(withDefault("start_dim", INT, 0L), withDefault("end_dim", INT, -1L))),
    CAT("aten::cat", in("tensors[]"), attrs(withDefault("dim", INT, 0L)), VARIADIC),
    STACK("aten::stack", in("tensors[]"), attrs(withDefault("dim", INT, 0L)), VARIADIC),
    /** Pieces of {@code split_size} along {@code dim}, the last possibly smaller; outputs are views. */
    SPLIT("aten::split", in("self"), attrs(required("split_size", INT), withDefault("dim", INT, 0L)),
            OpSchema.VARIABLE_OUTPUTS, OpTrait.VIEW),
    CHUNK("aten::chunk", in("self"), attrs(required("chunks", INT), withDefault("dim", INT, 0L)),
            OpSchema.VARIABLE_OUTPUTS, OpTrait.VIEW),
    TRIU("aten::triu", in("self"), attrs(withDefault("diagonal", INT, 0L))),
    TRIL("aten::tril", in("self"), attrs(withDefault("diagonal", INT, 0L))),

    // ---- factories ----
    ZEROS("aten::zeros", in(), attrs(required("size", SHAPE), withDefault("dtype", DTYPE, DType.FLOAT32)), FACTORY),
    ONES("aten::ones", in(), attrs(required("size", SHAPE), withDefault("dtype", DTYPE, DType.FLOAT32)), FACTORY),
    FULL("aten::full", in(), attrs(required("size", SHAPE), required("fill_value", SCALAR),
            withDefault("dtype", DTYPE, DType.FLOAT32)), FACTORY),
    /** {@code arange(start, end, step)}; dtype int64 when all three are integers, else float32, unless given. */
    ARANGE("aten::arange", in(), attrs(withDefault("start", SCALAR, 0L), required("end", SCALAR),
            withDefault("step", SCALAR, 1L), optional("dtype", DTYPE)), FACTORY),
    /** Uniform on [0, 1); {@code seed} names the generator state the draw started from. */
    RAND("aten::rand", in(), attrs(required("size", SHAPE), withDefault("dtype", DTYPE, DType.FLOAT32),
            optional("seed", INT)), FACTORY, RANDOM),
    RANDN("aten::randn", in(), attrs(required("size", SHAPE), withDefault("dtype", DTYPE, DType.FLOAT32),
            optional("seed", INT)), FACTORY, RANDOM);

    private final OpSchema schema;

    Op(String name, List<TensorParam> inputs, List<AttrSpec> attrs, OpTrait... traits) {
        this(name, inputs, attrs, 1, traits);
    }

    Op(String name, List<TensorParam> inputs, List<AttrSpec> attrs, int outputs, OpTrait... traits) {
        EnumSet<OpTrait> t = EnumSet.noneOf(OpTrait.class);
        for (OpTrait x : traits) t.add(x);
        this.schema = new OpSchema(name, inputs, attrs, outputs, t);
    }

    public OpSchema schema() { return schema; }

    /** The qualified name, e.g. {@code aten::add}. */
    public String qualifiedName() { return schema.qualifiedName(); }

    public boolean has(OpTrait trait) { return schema.has(trait); }

    private static final Map<String, Op> BY_NAME = new HashMap<>();

    static {
        for (Op op : values()) {
            if (BY_NAME.put(op.qualifiedName(), op) != null) {
                throw new ExceptionInInitializerError("duplicate op name " + op.qualifiedName());
            }
        }
    }

    /** The op with that qualified name; throws naming the unknown name. */
    public static Op byName(String qualifiedName) {
        Op op = BY_NAME.get(qualifiedName);
        if (op == null) throw new IllegalArgumentException("unknown op '" + qualifiedName + "'");
        return op;
    }

    @Override
    public String toString() { return qualifiedName(); }

    // ---- schema-building helpers (names ending in ? are optional, in [] variadic) ----

    private static List<TensorParam> in(String... names) { return inOpt(names); }

    private static List<TensorParam> inOpt(String... names) {
        List<TensorParam> out = new ArrayList<>();
        for (String n : names) {
            if (n.endsWith("?")) out.add(TensorParam.opt(n.substring(0, n.length() - 1)));
            else if (n.endsWith("[]")) out.add(TensorParam.list(n.substring(0, n.length() - 2)));
            else out.add(TensorParam.of(n));
        }
        return out;
    }

    private static List<AttrSpec> attrs(AttrSpec... specs) { return List.of(specs); }
}
