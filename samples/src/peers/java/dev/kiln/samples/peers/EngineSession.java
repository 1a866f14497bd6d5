package dev.kiln.samples.peers;

import dev.kiln.eager.Tensor;
import java.util.List;

/**
 * One engine, loaded with one conformance model and holding one input batch in the engine's own form. Opening a
 * session does all one-time work (loading weights or a model file, tracing, creating native input tensors);
 * {@link #run()} is the call that is timed.
 */
public interface EngineSession extends AutoCloseable {
    /**
     * One forward pass on the session's input. Outputs come back as Kiln tensors over Java heap arrays, because that
     * is what a Java caller can read: for native peers the copy out of native memory is part of the call.
     */
    List<Tensor> run();

    /**
     * Runs what this session built for its own input on {@code other} — for engines that trace or compile for one
     * example (Kiln's interpreter and compiled backends), the test that {@code traced.pt} and {@code model.onnx},
     * both traced on {@code input0}, face on {@code input1}: answer right or refuse.
     *
     * @throws UnsupportedOperationException for engines whose session is tied to its input only
     */
    default List<Tensor> runOn(PeerInput other) {
        throw new UnsupportedOperationException("this engine's session runs only its own input");
    }

    /** Releases native resources; the session is unusable afterwards. */
    @Override
    void close();
}
