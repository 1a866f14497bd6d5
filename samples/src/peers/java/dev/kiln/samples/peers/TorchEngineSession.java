package dev.kiln.samples.peers;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * libtorch 2.7.1 through DJL's PyTorch engine, on the case's TorchScript {@code traced.pt} (traced by PyTorch 1.13
 * on {@code input0}: {@code embedding_lstm_like}'s is unrolled for sequence length 12, {@code control_flow}'s bakes
 * the branch {@code input0} took). Input {@link NDArray}s are created once; every call runs the module's forward
 * (inference, no grad) and copies each output into a Java array, then frees it.
 *
 * <p>Threads: intra-op = {@code threads} ({@code torch.set_num_threads}); inter-op is fixed by the system property
 * {@code ai.djl.pytorch.num_interop_threads} before the engine starts (1 unless set). DJL runs offline when
 * started with {@code -Dai.djl.offline=true} and finds libtorch in its cache ({@code DJL_CACHE_DIR}).
 */
final class TorchEngineSession implements EngineSession {
    private final Model model;
    private final NDManager manager;
    private final Block block;
    private final ParameterStore store;
    private final NDList inputs;

    private TorchEngineSession(Model model, NDManager manager, NDList inputs) {
        this.model = model;
        this.manager = manager;
        this.block = model.getBlock();
        this.store = new ParameterStore(manager, false);
        this.inputs = inputs;
    }

    static TorchEngineSession open(PeerCase c, PeerInput input, int threads) throws Exception {
        // Read by PtEngine when it starts (only the first session in a JVM); later sessions set intra-op directly.
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        Model model = Model.newInstance(c.name(), "PyTorch");
        JniUtils.setNumThreads(threads);
        model.load(c.dir(), "traced");
        NDManager manager = model.getNDManager().newSubManager();
        NDList list = new NDList();
        for (Tensor t : input.tensors()) list.add(toTorch(manager, t));
        return new TorchEngineSession(model, manager, list);
    }

    private static NDArray toTorch(NDManager manager, Tensor t) {
        Tensor c = t.contiguous();
        Shape shape = new Shape(c.shape());
        if (c.dtype() == DType.FLOAT32) return manager.create(c.toFloatArray(), shape);
        if (c.dtype() == DType.INT64) return manager.create(c.toLongArray(), shape);
        throw new IllegalArgumentException("libtorch session: unsupported input dtype " + c.dtype());
    }

    @Override
    public List<Tensor> run() {
        NDList out = block.forward(store, inputs, false);
        try {
            List<Tensor> result = new ArrayList<>(out.size());
            for (NDArray a : out) result.add(toKiln(a));
            return result;
        } finally {
            out.close();
        }
    }

    private static Tensor toKiln(NDArray a) {
        long[] shape = a.getShape().getShape();
        if (a.getDataType() == DataType.FLOAT32) return Tensor.wrap(a.toFloatArray(), shape);
        if (a.getDataType() == DataType.INT64) return Tensor.wrap(a.toLongArray(), shape);
        throw new IllegalStateException("libtorch output of type " + a.getDataType());
    }

    @Override
    public void close() {
        inputs.close();
        manager.close();
        model.close();
    }
}
