package dev.kiln.serialization;

import dev.kiln.ir.AttrSpec;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.IrException;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Graph;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.SourceInfo;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.ValueType;
import dev.kiln.ir.verify.GraphVerifier;
import dev.kiln.serialization.proto.Attribute;
import dev.kiln.serialization.proto.Dim;
import dev.kiln.serialization.proto.DimList;
import dev.kiln.serialization.proto.InlineConst;
import dev.kiln.serialization.proto.ValueDef;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a {@link Graph} from its protobuf blocks through the graph API, then runs {@link GraphVerifier}.
 *
 * <p>Strict where the text parser is lenient: a value must be defined (as a block parameter or an earlier node
 * output, in program order) before it is used, and every name is used exactly as written — a duplicate is an
 * error, never silently renamed. Ops are looked up with {@link Op#byName}; an unknown one is an
 * {@link ArchiveException.Problem#UNKNOWN_OP}. Every other inconsistency is {@code MALFORMED}, with the node's
 * place in the message ({@code block top, node 3 (%5)}).
 */
final class GraphDecoder {
    private final Graph graph = new Graph();
    private final Map<String, Value> values = new HashMap<>();
    private final boolean fusedAllowed;

    private GraphDecoder(boolean fusedAllowed) { this.fusedAllowed = fusedAllowed; }

    /** The model graph whose top block is {@code top} and whose constant table is {@code constants}; verified. */
    static Graph decode(dev.kiln.serialization.proto.Block top, Map<String, TensorData> constants) {
        return decode(top, constants, false);
    }

    /**
     * As {@link #decode(dev.kiln.serialization.proto.Block, Map)}; {@code fusedAllowed} for a compiled-code graph
     * (format 1.1), the only place fusion nodes may appear.
     */
    static Graph decode(dev.kiln.serialization.proto.Block top, Map<String, TensorData> constants,
                        boolean fusedAllowed) {
        GraphDecoder d = new GraphDecoder(fusedAllowed);
        for (Map.Entry<String, TensorData> e : constants.entrySet()) {
            guardRun("constant table key '" + e.getKey() + "'", () -> d.graph.putConstant(e.getKey(), e.getValue()));
        }
        d.block(top, d.graph.topBlock(), "top");
        try {
            GraphVerifier.verify(d.graph);
        } catch (IrException e) {
            throw DecodeException.malformed("graph does not verify: " + e.getMessage());
        }
        return d.graph;
    }

    private void block(dev.kiln.serialization.proto.Block src, Block dst, String path) {
        for (int i = 0; i < src.getParamsCount(); i++) {
            ValueDef p = src.getParams(i);
            String where = "block " + path + ", parameter " + i + " (%" + p.getName() + ")";
            ValueType type = ProtoTypes.valueType(p.getType(), where);
            checkName(p.getName(), where);
            Value v = guard(where, () -> graph.addParameter(dst, p.getName(), type));
            define(v, p.getName(), where);
        }
        for (int i = 0; i < src.getNodesCount(); i++) node(src.getNodes(i), dst, path, i);
        List<Value> results = new ArrayList<>();
        for (String r : src.getResultsList()) results.add(resolve(r, "block " + path + ", return"));
        guardRun("block " + path + ", return", () -> graph.setResults(dst, results));
    }

    private void node(dev.kiln.serialization.proto.Node src, Block dst, String path, int index) {
        String where = "block " + path + ", node " + index
                + (src.getOutputsCount() > 0 ? " (%" + src.getOutputs(0).getName() + ")" : "");
        NodeKind kind = kind(src, where);
        List<Value> inputs = new ArrayList<>();
        for (String in : src.getInputsList()) inputs.add(in.isEmpty() ? null : resolve(in, where));
        List<ValueType> types = new ArrayList<>();
        String[] names = new String[src.getOutputsCount()];
        for (int i = 0; i < names.length; i++) {
            ValueDef o = src.getOutputs(i);
            types.add(ProtoTypes.valueType(o.getType(), where + ", output " + i));
            names[i] = checkName(o.getName(), where);
        }
        SourceInfo source = src.hasSource() ? guard(where + ", source", () -> new SourceInfo(
                src.getSource().getModulePath(), src.getSource().getFile().isEmpty() ? null : src.getSource().getFile(),
                src.getSource().getLine())) : SourceInfo.NONE;
        Node node = guard(where, () -> graph.create(kind).inputs(inputs).outputs(types).names(names).source(source)
                .blocks(src.getBlocksCount()).appendTo(dst));
        for (int i = 0; i < names.length; i++) define(node.outputs().get(i), names[i], where);
        for (int b = 0; b < src.getBlocksCount(); b++) {
            block(src.getBlocks(b), node.blocks().get(b), path + "/" + index + "." + b);
        }
    }

    private NodeKind kind(dev.kiln.serialization.proto.Node src, String where) {
        return switch (src.getKindCase()) {
            case OP -> opCall(src.getOp(), where);
            case PARAM -> guard(where, () -> new NodeKind.Param(src.getParam().getKey()));
            case CONST -> new NodeKind.Const(inlineConst(src.getConst(), where));
            case CONST_REF -> {
                String key = src.getConstRef().getKey();
                if (graph.constant(key) == null) {
                    throw DecodeException.malformed(where + ": const(@" + key + ") refers to no constant-table entry; "
                            + "the table has " + graph.constants().keySet());
                }
                yield new NodeKind.ConstRef(key);
            }
            case SIZE -> new NodeKind.Size(src.getSize().getDim());
            case COND -> new NodeKind.Cond();
            case SCAN -> new NodeKind.Scan(src.getScan().getDim());
            case GUARD -> new NodeKind.Guard(switch (src.getGuard().getExpectedCase()) {
                case BOOL_VALUE -> (Object) src.getGuard().getBoolValue();
                case INT_VALUE -> (Object) src.getGuard().getIntValue();
                case FLOAT_VALUE -> (Object) src.getGuard().getFloatValue();
                case EXPECTED_NOT_SET -> throw DecodeException.malformed(where + ": kiln::guard has no expected value");
            });
            case FUSED -> {
                if (!fusedAllowed) {
                    throw DecodeException.malformed(where + ": a fusion node may appear only in a compiled-code "
                            + "graph, not in the model graph");
                }
                yield new NodeKind.Fused(switch (src.getFused().getGroup()) {
                    case LOOP -> NodeKind.Fused.Group.LOOP;
                    case EPILOGUE -> NodeKind.Fused.Group.EPILOGUE;
                    case FUSED_GROUP_UNSPECIFIED, UNRECOGNIZED -> throw DecodeException.malformed(where
                            + ": fusion node has no known group (expected LOOP or EPILOGUE)");
                });
            }
            case KIND_NOT_SET -> throw DecodeException.malformed(where + ": node has no kind (none of op, param, "
                    + "const, const_ref, size, cond, scan, guard, fused)");
        };
    }

    private static NodeKind opCall(dev.kiln.serialization.proto.OpCall call, String where) {
        Op op;
        try {
            op = Op.byName(call.getOp());
        } catch (IllegalArgumentException e) {
            throw new DecodeException(ArchiveException.Problem.UNKNOWN_OP, where + ": unknown op '" + call.getOp()
                    + "': this runtime knows " + Op.values().length + " ops and not this one");
        }
        Attrs.Builder b = Attrs.of(op);
        for (Attribute a : call.getAttrsList()) {
            String w = where + ", " + op + " attribute '" + a.getName() + "'";
            AttrSpec spec = op.schema().attr(a.getName());
            if (spec == null) throw DecodeException.malformed(w + ": " + op + " has no such attribute");
            Object v = switch (a.getValueCase()) {
                case INT_VALUE -> a.getIntValue();
                case FLOAT_VALUE -> a.getFloatValue();
                case BOOL_VALUE -> a.getBoolValue();
                case STRING_VALUE -> a.getStringValue();
                case DTYPE_VALUE -> ProtoTypes.dtype(a.getDtypeValue(), w);
                case INT_LIST -> a.getIntList().getValuesList().stream().mapToLong(Long::longValue).toArray();
                case FLOAT_LIST -> a.getFloatList().getValuesList().stream().mapToDouble(Double::doubleValue).toArray();
                case DIM_LIST -> dims(a.getDimList(), w);
                case VALUE_NOT_SET -> throw DecodeException.malformed(w + ": no value");
            };
            guardRun(w, () -> b.set(a.getName(), v));
        }
        return new NodeKind.OpCall(op, guard(where, b::build));
    }

    /**
     * A symbolic SHAPE value: the sizes as {@link SymExpr}s (Attrs stores an all-constant list as long[]). Unlike a
     * type's dims, a constant size here may be negative ({@code view(size=[B, -1])}).
     */
    private static List<SymExpr> dims(DimList list, String where) {
        List<SymExpr> out = new ArrayList<>();
        for (int i = 0; i < list.getDimsCount(); i++) {
            Dim d = list.getDims(i);
            out.add(d.getKindCase() == Dim.KindCase.SIZE ? SymExpr.of(d.getSize())
                    : ProtoTypes.dim(d, where + ", size " + i));
        }
        return out;
    }

    private static TensorData inlineConst(InlineConst c, String where) {
        DType dtype = ProtoTypes.dtype(c.getDtype(), where);
        long[] shape = ProtoTypes.shape(c.getShapeList(), where);
        RawTensor raw = guard(where + ", inline constant",
                () -> RawTensor.wrap(dtype, shape, ByteBuffer.wrap(c.getData().toByteArray())));
        return raw.toTensorData();
    }

    private static String checkName(String name, String where) {
        if (!Graph.isValidName(name)) {
            throw DecodeException.malformed(where + ": bad value name '" + name + "'");
        }
        return name;
    }

    private void define(Value v, String name, String where) {
        // The graph renames a taken name (x -> x_1); in an archive that can only mean a duplicate definition.
        if (!v.name().equals(name) || values.putIfAbsent(name, v) != null) {
            throw DecodeException.malformed(where + ": value %" + name + " is defined twice");
        }
    }

    private Value resolve(String name, String where) {
        Value v = values.get(name);
        if (v == null) throw DecodeException.malformed(where + ": uses %" + name + ", which is not defined before it");
        return v;
    }

    /** Runs a graph-API call, turning its {@link IrException} or {@link IllegalArgumentException} into MALFORMED. */
    private static <T> T guard(String where, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (IrException | IllegalArgumentException e) {
            throw DecodeException.malformed(where + ": " + e.getMessage());
        }
    }

    private static void guardRun(String where, Runnable call) {
        guard(where, () -> {
            call.run();
            return null;
        });
    }
}
