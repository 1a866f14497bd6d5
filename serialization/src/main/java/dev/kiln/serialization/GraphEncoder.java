package dev.kiln.serialization;

import com.google.protobuf.ByteString;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.DType;
import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.NodeKind;
import dev.kiln.ir.graph.SourceInfo;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.graph.Value;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.serialization.proto.Attribute;
import dev.kiln.serialization.proto.Cond;
import dev.kiln.serialization.proto.ConstRef;
import dev.kiln.serialization.proto.DimList;
import dev.kiln.serialization.proto.FloatList;
import dev.kiln.serialization.proto.Fused;
import dev.kiln.serialization.proto.FusedGroup;
import dev.kiln.serialization.proto.Guard;
import dev.kiln.serialization.proto.InlineConst;
import dev.kiln.serialization.proto.IntList;
import dev.kiln.serialization.proto.OpCall;
import dev.kiln.serialization.proto.ParamRef;
import dev.kiln.serialization.proto.Scan;
import dev.kiln.serialization.proto.SizeOf;
import dev.kiln.serialization.proto.Source;
import dev.kiln.serialization.proto.ValueDef;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Encodes a graph's blocks as protobuf: nodes in program order, values by name with their types, every attribute
 * value written out (defaults included, so that a later change of a schema default cannot change what an archived
 * model computes), inline constants as little-endian bytes. The inverse is {@link GraphDecoder}.
 */
final class GraphEncoder {
    private GraphEncoder() {}

    /** A model graph's block: fusion nodes are refused (they may appear only in compiled-code graphs, format 1.1). */
    static dev.kiln.serialization.proto.Block block(Block b) { return block(b, false); }

    /** A block; {@code fusedAllowed}: for a {@link CompiledCode} graph, which may hold fusion nodes. */
    static dev.kiln.serialization.proto.Block block(Block b, boolean fusedAllowed) {
        var out = dev.kiln.serialization.proto.Block.newBuilder();
        for (Value p : b.params()) out.addParams(valueDef(p));
        for (Node n : b.nodes()) out.addNodes(node(n, fusedAllowed));
        for (Value r : b.results()) out.addResults(r.name());
        return out.build();
    }

    private static dev.kiln.serialization.proto.Node node(Node n, boolean fusedAllowed) {
        var out = dev.kiln.serialization.proto.Node.newBuilder();
        NodeKind k = n.kind();
        if (k instanceof NodeKind.OpCall c) out.setOp(opCall(c));
        else if (k instanceof NodeKind.Param p) out.setParam(ParamRef.newBuilder().setKey(p.key()));
        else if (k instanceof NodeKind.Const c) out.setConst(inlineConst(c.data()));
        else if (k instanceof NodeKind.ConstRef r) out.setConstRef(ConstRef.newBuilder().setKey(r.key()));
        else if (k instanceof NodeKind.Size s) out.setSize(SizeOf.newBuilder().setDim(s.dim()));
        else if (k instanceof NodeKind.Cond) out.setCond(Cond.getDefaultInstance());
        else if (k instanceof NodeKind.Scan s) out.setScan(Scan.newBuilder().setDim(s.dim()));
        else if (k instanceof NodeKind.Guard g) out.setGuard(guard(g.expected()));
        else if (k instanceof NodeKind.Fused f && fusedAllowed) {
            out.setFused(Fused.newBuilder().setGroup(f.group() == NodeKind.Fused.Group.LOOP ? FusedGroup.LOOP
                    : FusedGroup.EPILOGUE));
        } else throw new IllegalStateException("node kind " + k.name() + " cannot be archived");
        for (Value in : n.inputs()) out.addInputs(in == null ? "" : in.name());
        for (Value o : n.outputs()) out.addOutputs(valueDef(o));
        for (Block sub : n.blocks()) out.addBlocks(block(sub, fusedAllowed));
        SourceInfo s = n.source();
        if (!s.isEmpty()) {
            out.setSource(Source.newBuilder().setModulePath(s.modulePath()).setFile(s.file() == null ? "" : s.file())
                    .setLine(s.line()));
        }
        return out.build();
    }

    private static ValueDef valueDef(Value v) {
        return ValueDef.newBuilder().setName(v.name()).setType(ProtoTypes.valueType(v.type())).build();
    }

    private static OpCall opCall(NodeKind.OpCall c) {
        var out = OpCall.newBuilder().setOp(c.op().qualifiedName());
        Attrs attrs = c.attrs();
        for (Map.Entry<String, Object> e : attrs.asMap().entrySet()) {
            out.addAttrs(attribute(e.getKey(), e.getValue()));
        }
        return out.build();
    }

    private static Attribute attribute(String name, Object v) {
        var a = Attribute.newBuilder().setName(name);
        if (v instanceof Long x) a.setIntValue(x);
        else if (v instanceof Double x) a.setFloatValue(x);
        else if (v instanceof Boolean x) a.setBoolValue(x);
        else if (v instanceof String x) a.setStringValue(x);
        else if (v instanceof DType x) a.setDtypeValue(ProtoTypes.dtype(x));
        else if (v instanceof long[] x) a.setIntList(IntList.newBuilder().addAllValues(Arrays.stream(x).boxed().toList()));
        else if (v instanceof List<?> dims) a.setDimList(dimList(name, dims));
        else if (v instanceof double[] x) {
            a.setFloatList(FloatList.newBuilder().addAllValues(Arrays.stream(x).boxed().toList()));
        } else {
            throw new IllegalStateException("attribute '" + name + "' has unarchivable value " + v);
        }
        return a.build();
    }

    /** A symbolic SHAPE value ({@code List<SymExpr>}), each size as {@link ProtoTypes#dim}. */
    private static DimList dimList(String name, List<?> dims) {
        var out = DimList.newBuilder();
        for (Object d : dims) {
            if (!(d instanceof SymExpr e)) {
                throw new IllegalStateException("attribute '" + name + "' has unarchivable value " + dims);
            }
            out.addDims(ProtoTypes.dim(e));
        }
        return out.build();
    }

    private static Guard guard(Object expected) {
        var g = Guard.newBuilder();
        if (expected instanceof Boolean b) g.setBoolValue(b);
        else if (expected instanceof Long l) g.setIntValue(l);
        else g.setFloatValue((Double) expected);
        return g.build();
    }

    private static InlineConst inlineConst(TensorData d) {
        var out = InlineConst.newBuilder().setDtype(ProtoTypes.dtype(d.dtype()));
        for (long s : d.shape()) out.addShape(s);
        return out.setData(ByteString.copyFrom(RawTensor.encode(d.dtype(), d.array()).rewind())).build();
    }
}
