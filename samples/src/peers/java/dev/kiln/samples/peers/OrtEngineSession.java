package dev.kiln.samples.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime (Java API, CPU provider) on the case's {@code model.onnx} (opset 14, dynamic batch axis). The input
 * {@link OnnxTensor}s are created once (as Kiln's input tensors are); every call runs the session and copies each
 * output into a Java array.
 *
 * <p>Threads: {@code threads} intra-op threads, one inter-op thread (sequential execution), all graph
 * optimisations on: ORT's defaults otherwise.
 */
final class OrtEngineSession implements EngineSession {
    private final OrtSession session;
    private final Map<String, OnnxTensor> inputs;

    private OrtEngineSession(OrtSession session, Map<String, OnnxTensor> inputs) {
        this.session = session;
        this.inputs = inputs;
    }

    static OrtEngineSession open(PeerCase c, PeerInput input, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        SessionOptions options = new SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        OrtSession session = env.createSession(c.onnxModel().toString(), options);
        List<String> names = new ArrayList<>(session.getInputNames());
        if (names.size() != input.tensors().size()) {
            session.close();
            throw new IllegalStateException(c.onnxModel() + " has inputs " + names + " but the case has "
                    + input.tensors().size());
        }
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) tensors.put(names.get(i), toOnnx(env, input.tensors().get(i)));
        return new OrtEngineSession(session, tensors);
    }

    private static OnnxTensor toOnnx(OrtEnvironment env, Tensor t) throws OrtException {
        Tensor c = t.contiguous();
        if (c.dtype() == DType.FLOAT32) return OnnxTensor.createTensor(env, FloatBuffer.wrap(c.toFloatArray()), c.shape());
        if (c.dtype() == DType.INT64) return OnnxTensor.createTensor(env, LongBuffer.wrap(c.toLongArray()), c.shape());
        throw new IllegalArgumentException("ONNX Runtime session: unsupported input dtype " + c.dtype());
    }

    @Override
    public List<Tensor> run() {
        try (OrtSession.Result result = session.run(inputs)) {
            List<Tensor> out = new ArrayList<>(result.size());
            for (Map.Entry<String, OnnxValue> e : result) out.add(toKiln((OnnxTensor) e.getValue()));
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static Tensor toKiln(OnnxTensor t) {
        long[] shape = t.getInfo().getShape();
        return switch (t.getInfo().type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                yield Tensor.wrap(a, shape);
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                long[] a = new long[b.remaining()];
                b.get(a);
                yield Tensor.wrap(a, shape);
            }
            default -> throw new IllegalStateException("ONNX Runtime output of type " + t.getInfo().type);
        };
    }

    @Override
    public void close() {
        for (OnnxTensor t : inputs.values()) t.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close ONNX Runtime session", e);
        }
    }
}
