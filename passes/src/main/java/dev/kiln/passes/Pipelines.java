package dev.kiln.passes;

import dev.kiln.ir.graph.TensorData;
import dev.kiln.passes.cleanup.CommonSubexpressionElimination;
import dev.kiln.passes.cleanup.ConstantFolding;
import dev.kiln.passes.cleanup.DeadCodeElimination;
import dev.kiln.passes.freeze.FoldBatchNorm;
import dev.kiln.passes.freeze.FreezeParameters;
import dev.kiln.passes.freeze.RemoveEvalDropout;
import dev.kiln.passes.fusion.FuseEpilogues;
import dev.kiln.passes.fusion.FuseLoops;
import dev.kiln.passes.shape.SpecializeShapes;
import dev.kiln.passes.simplify.AlgebraicSimplification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The standard pipelines, as lists of passes for a {@link PassManager}. */
public final class Pipelines {
    private Pipelines() {}

    /** Folding and simplification to a stable graph: fold, simplify, fold again, CSE, DCE. */
    public static List<Pass> cleanup() {
        return List.of(new ConstantFolding(), new AlgebraicSimplification(), new ConstantFolding(),
                new CommonSubexpressionElimination(), new DeadCodeElimination());
    }

    /** Freezing for inference with the given parameter values: params to constants, dropout out, bn folded. */
    public static List<Pass> freeze(Map<String, TensorData> parameters) {
        return List.of(new FreezeParameters(parameters), new RemoveEvalDropout(), new FoldBatchNorm());
    }

    /** Epilogue fusion, then loop fusion, then DCE of what the groups absorbed. */
    public static List<Pass> fusion() {
        return List.of(new FuseEpilogues(), new FuseLoops(), new DeadCodeElimination());
    }

    /**
     * The inference pipeline: freeze (when {@code parameters} is not null), cleanup, specialise the given sizes
     * (when not empty), cleanup again, fuse.
     */
    public static PassManager.Builder inference(Map<String, TensorData> parameters, Map<String, Long> sizes) {
        List<Pass> passes = new ArrayList<>();
        if (parameters != null) passes.addAll(freeze(parameters));
        passes.addAll(cleanup());
        if (!sizes.isEmpty()) {
            passes.add(new SpecializeShapes(sizes));
            passes.addAll(cleanup());
        }
        passes.addAll(fusion());
        return PassManager.pipeline("inference").addAll(passes);
    }
}
