package dev.kiln.samples.peers;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.autograd.GradMode;
import dev.kiln.eager.nn.Module;
import dev.kiln.samples.ConformanceCase;
import java.util.List;

/** Kiln eager: the case's Java model with PyTorch's weights, run op by op under {@link GradMode#noGrad()}. */
final class KilnEagerSession implements EngineSession {
    private final Module model;
    private final List<Tensor> inputs;

    private KilnEagerSession(Module model, List<Tensor> inputs) {
        this.model = model;
        this.inputs = inputs;
    }

    static KilnEagerSession open(PeerCase c, PeerInput input, int threads) {
        // Process-wide (OpenBLAS itself stays single-threaded; Kiln splits large GEMMs over its own pool).
        Parallel.setNumThreads(threads);
        return new KilnEagerSession(c.javaModel().load(c.dir()), input.tensors());
    }

    @Override
    public List<Tensor> run() {
        try (var noGrad = GradMode.noGrad()) {
            return ConformanceCase.run(model, inputs);
        }
    }

    @Override
    public void close() {}
}
