package dev.kiln.samples.peers;

import dev.kiln.eager.Tensor;
import dev.kiln.samples.ConformanceCase;
import java.util.ArrayList;
import java.util.List;

/**
 * Correctness before speed: every engine's outputs are checked against PyTorch's fixtures on {@code input0} and
 * {@code input1}, and on each timed batch against Kiln eager on the same batch (Kiln eager itself matches PyTorch
 * on every fixture; {@code ./kiln demo}). All checks use the case's tolerances. Runs in one JVM at one thread.
 */
public final class PeerChecks {
    private PeerChecks() {}

    /** Checks of one engine on one case: the fixture examples first, then one per timed batch size. */
    public static List<Verdict> run(PeerCase c, Engine engine, List<Integer> batches) {
        double rtol = c.meta().rtol();
        double atol = c.meta().atol();
        List<Verdict> out = new ArrayList<>();
        EngineSession sessionOfInput0 = null; // engines that trace: the session built on input0 also runs input1
        try {
            for (int k = 0; k < 2; k++) {
                PeerInput in = PeerInput.example(c, k);
                List<Tensor> expected = ConformanceCase.expectedOutputs(c.dir(), k);
                try {
                    List<Tensor> actual;
                    if (engine.tracesItsInput() && k == 1) {
                        // What was traced on input0 must either answer right on input1 or refuse (guard, fixed
                        // size): the same test the peers' traced.pt / model.onnx (both traced on input0) face.
                        if (sessionOfInput0 == null) throw new IllegalStateException("input0 did not load");
                        actual = sessionOfInput0.runOn(in);
                    } else if (engine.tracesItsInput()) {
                        sessionOfInput0 = engine.open(c, in, 1);
                        actual = sessionOfInput0.run();
                    } else {
                        actual = runOnce(c, engine, in);
                    }
                    out.add(Verdict.compare("input" + k, actual, expected, rtol, atol));
                } catch (Exception | LinkageError e) {
                    out.add(Verdict.failed("input" + k, e));
                }
            }
        } finally {
            if (sessionOfInput0 != null) sessionOfInput0.close();
        }
        for (int n : batches) {
            String name = "batch " + n;
            try {
                PeerInput in = PeerInput.batch(c, n);
                List<Tensor> reference = runOnce(c, Engine.KILN_EAGER, in);
                out.add(Verdict.compare(name, runOnce(c, engine, in), reference, rtol, atol));
            } catch (Exception | LinkageError e) {
                out.add(Verdict.failed(name, e));
            }
        }
        return out;
    }

    private static List<Tensor> runOnce(PeerCase c, Engine engine, PeerInput in) throws Exception {
        try (EngineSession s = engine.open(c, in, 1)) {
            return s.run();
        }
    }
}
