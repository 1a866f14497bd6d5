package dev.kiln.codegen.jvm;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.ir.Attrs;
import dev.kiln.ir.Op;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.sym.SymExpr;

/**
 * Everything the generated code looks up at run time, by top-level node id (the node's index in the graph's top
 * block): each op's attributes, constant tensors, and per fusion group how its kernel is fed. Immutable after
 * {@link JvmCompiler} fills it; shared by all threads.
 */
final class Program {
    final Node[] nodes;
    final Attrs[] attrs;
    final Object[] constants;
    final Group[] groups;
    /** Per top-level op node: its compiled GEMM path (packed constant weight), or null for the eager kernel. */
    final GemmAnchor[] anchors;
    /** Per top-level op node with an anchor: the pooled buffer slot of its result, or -1 when it escapes. */
    final int[] anchorSlot;
    /**
     * Per top-level op node that runs on an eager kernel able to write into a caller's array
     * ({@code Dispatcher.callInto}): the pooled buffer slot of its float32 result, or -1 (a fresh result).
     */
    final int[] intoSlot;
    /** Per node with an {@link #intoSlot}: its result's shape, evaluated under each frame's size bindings. */
    final dev.kiln.ir.sym.SymExpr[][] intoShape;
    int bufferCount;
    GeneratedGraph graph;

    Program(int n) {
        nodes = new Node[n];
        attrs = new Attrs[n];
        constants = new Object[n];
        groups = new Group[n];
        anchors = new GemmAnchor[n];
        anchorSlot = new int[n];
        java.util.Arrays.fill(anchorSlot, -1);
        intoSlot = new int[n];
        java.util.Arrays.fill(intoSlot, -1);
        intoShape = new dev.kiln.ir.sym.SymExpr[n][];
    }

    /** A fusion group: its generated kernel ({@code kernel} ≥ 0) or, when not lowered, an interpreter of its block. */
    static final class Group {
        int kernel = -1;
        LoopPlan plan;
        Interpreter fallback;
        /** The epilogue's library call (null for a loop group), its attributes and inputs. */
        Op anchorOp;
        Attrs anchorAttrs;
        /** Per anchor input: the group input index, or -1 for {@link #anchorConsts}[i] (null for an absent one). */
        int[] anchorInputs;
        Tensor[] anchorConsts;
        int anchorOperand = -1;
        /** The anchor's compiled GEMM path, or null when the anchor runs on its eager kernel. */
        GemmAnchor gemm;
        /**
         * The pooled buffer slot the anchor writes its result into (it never escapes the group): the compiled GEMM
         * path's, or an eager anchor's that can write into a caller's array; -1 for an eager anchor that cannot.
         */
        int gemmSlot = -1;
        /** The anchor's float32 result shape (null for another result type); an eager anchor's buffer is sized by it. */
        dev.kiln.ir.sym.SymExpr[] anchorShape;
        /** Per kernel operand: its constant tensor, or null when it is a group input or the anchor's result. */
        Tensor[] operandConsts;
        SymExpr[] domain;
        /** Per store: its pooled buffer slot, or -1 when the result must be a fresh array (it escapes). */
        int[] bufferSlot;
        /** Vector plans: when the vector block takes whole spans (passed to the driver after the stores' arrays). */
        VectorWarmup warmup;
    }
}
