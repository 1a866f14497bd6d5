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
    int bufferCount;
    GeneratedGraph graph;

    Program(int n) {
        nodes = new Node[n];
        attrs = new Attrs[n];
        constants = new Object[n];
        groups = new Group[n];
        anchors = new GemmAnchor[n];
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
        /** The pooled buffer slot the compiled anchor writes its result into (it never escapes the group). */
        int gemmSlot = -1;
        /** Per kernel operand: its constant tensor, or null when it is a group input or the anchor's result. */
        Tensor[] operandConsts;
        SymExpr[] domain;
        /** Per store: its pooled buffer slot, or -1 when the result must be a fresh array (it escapes). */
        int[] bufferSlot;
        /** Vector plans: when the vector block takes whole spans (passed to the driver after the stores' arrays). */
        VectorWarmup warmup;
    }
}
