package dev.kiln.eager.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.F;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Whole models from {@code shared/conformance} (real PyTorch 1.13 outputs) run through this family's kernels.
 * The few ops of other families they need (relu, residual add, flatten, log_softmax) are done by plain loops
 * here, so that these tests depend only on conv2d, batch_norm, max_pool2d, adaptive_avg_pool2d and linear.
 * Tolerances are the fixtures' own ({@code rtol 1e-4, atol 1e-5}).
 */
class ConformanceModelsTest {
    private static Path dir(String name) {
        String root = System.getProperty("kiln.conformance.dir");
        assumeTrue(root != null && Files.isDirectory(Path.of(root, name)), "conformance fixtures not found");
        return Path.of(root, name);
    }

    /** Reads a little-endian float32 C-order .npy file. */
    static Tensor npy(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLen = major == 1 ? buf.getShort(8) & 0xffff : buf.getInt(8);
        int start = (major == 1 ? 10 : 12) + headerLen;
        String header = new String(bytes, major == 1 ? 10 : 12, headerLen, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(true, header.contains("'<f4'") && header.contains("'fortran_order': False"), header);
        Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
        assertEquals(true, m.find(), header);
        long[] shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        float[] data = new float[(bytes.length - start) / 4];
        buf.position(start);
        buf.asFloatBuffer().get(data);
        return Tensor.wrap(data, shape);
    }

    private static Tensor relu(Tensor t) {
        float[] a = t.toFloatArray();
        for (int i = 0; i < a.length; i++) a[i] = Math.max(a[i], 0f);
        return Tensor.wrap(a, t.shape());
    }

    private static Tensor flatten1(Tensor t) {
        long[] s = t.shape();
        return Tensor.wrap(t.toFloatArray(), s[0], t.numel() / s[0]);
    }

    private static void assertMatches(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.intShape(), actual.intShape());
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            double tol = 1e-5 + 1e-4 * Math.abs(e[i]);
            if (!(Math.abs(e[i] - a[i]) <= tol)) {
                throw new AssertionError("element " + i + ": PyTorch " + e[i] + ", Kiln " + a[i]);
            }
        }
    }

    private static Tensor bn(Path w, String name, Tensor x) throws IOException {
        return F.batchNorm(x, npy(w.resolve(name + ".running_mean.npy")), npy(w.resolve(name + ".running_var.npy")),
                npy(w.resolve(name + ".weight.npy")), npy(w.resolve(name + ".bias.npy")), false, 0.1, 1e-5);
    }

    private static Tensor conv(Path w, String name, Tensor x, int padding, boolean bias) throws IOException {
        return F.conv2d(x, npy(w.resolve(name + ".weight.npy")), bias ? npy(w.resolve(name + ".bias.npy")) : null,
                new int[] {1, 1}, new int[] {padding, padding}, new int[] {1, 1}, 1);
    }

    private static Tensor fc(Path w, String name, Tensor x) throws IOException {
        return F.linear(x, npy(w.resolve(name + ".weight.npy")), npy(w.resolve(name + ".bias.npy")));
    }

    @Test
    void lenetBn() throws IOException {
        Path d = dir("lenet_bn");
        Path w = d.resolve("weights");
        for (int k = 0; k < 2; k++) {
            Tensor x = npy(d.resolve("input" + k + "_x.npy"));
            x = F.maxPool2d(relu(bn(w, "bn1", conv(w, "conv1", x, 2, true))), 2);
            x = F.maxPool2d(relu(bn(w, "bn2", conv(w, "conv2", x, 0, true))), 2);
            x = relu(fc(w, "fc1", flatten1(x)));
            x = relu(fc(w, "fc2", x));
            x = fc(w, "fc3", x);
            // log_softmax over dim 1, in double.
            float[] v = x.toFloatArray();
            int n = (int) x.size(1);
            for (int r = 0; r < v.length / n; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) max = Math.max(max, v[r * n + j]);
                double sum = 0;
                for (int j = 0; j < n; j++) sum += Math.exp(v[r * n + j] - max);
                double lse = max + Math.log(sum);
                for (int j = 0; j < n; j++) v[r * n + j] = (float) (v[r * n + j] - lse);
            }
            assertMatches(npy(d.resolve("output" + k + "_log_probs.npy")), Tensor.wrap(v, x.shape()));
        }
    }

    @Test
    void resnetBlock() throws IOException {
        Path d = dir("resnet_block");
        Path w = d.resolve("weights");
        for (int k = 0; k < 2; k++) {
            Tensor x = npy(d.resolve("input" + k + "_x.npy"));
            Tensor out = relu(bn(w, "bn1", conv(w, "conv1", x, 1, false)));
            out = bn(w, "bn2", conv(w, "conv2", out, 1, false));
            float[] o = out.toFloatArray();
            float[] id = x.toFloatArray();
            for (int i = 0; i < o.length; i++) o[i] = Math.max(o[i] + id[i], 0f);
            out = F.adaptiveAvgPool2d(Tensor.wrap(o, out.shape()), 1);
            assertMatches(npy(d.resolve("output" + k + "_logits.npy")), fc(w, "fc", flatten1(out)));
        }
    }
}
