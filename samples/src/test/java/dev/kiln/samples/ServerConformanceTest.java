package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Json;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.server.InferenceServer;
import dev.kiln.runtime.server.ModelRepository;
import dev.kiln.runtime.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conformance case's archive served from one model-repository folder over real HTTP: the answer to
 * {@code input0} equals, element for element, what {@link KilnRuntime} gives in process for the same archive (the
 * same values {@code ./kiln run} writes). Every case but {@code control_flow} is batched.
 */
class ServerConformanceTest {
    @TempDir
    static Path repo;
    static InferenceServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static List<String> cases() { return ArchiveConformanceTest.cases().toList(); }

    @BeforeAll
    static void start() throws Exception {
        for (String name : cases()) Files.copy(ArchiveConformanceTest.saveCase(name), repo.resolve(name + ".kiln"));
        server = InferenceServer.start(ModelRepository.load(ModelRepository.archives(List.of(repo))),
                ServerOptions.defaults().withAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() { if (server != null) server.close(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void servedAnswerEqualsInProcessRun(String name) throws Exception {
        LoadedModel model = KilnRuntime.load(repo.resolve(name + ".kiln"));
        // control_flow's guard reads a sum over the whole batch, so joining requests would change answers.
        assertEquals(!name.equals("control_flow"), server.batched(name), name + ": " + server.whyNotBatched(name));
        List<Tensor> inputs = ConformanceCase.inputs(ConformanceCase.defaultSuite().resolve(name), 0);
        List<Object> tensors = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) tensors.add(tensorJson(model.inputNames().get(i), inputs.get(i)));
        String body = Json.write(Map.of("id", name, "inputs", tensors));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/v2/models/" + name + "/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> resp = (Map<String, Object>) Json.parse(r.body());
        assertEquals(name, resp.get("id"));
        List<Tensor> expected = model.forward(inputs.toArray(Tensor[]::new));
        List<Object> outputs = (List<Object>) resp.get("outputs");
        assertEquals(expected.size(), outputs.size());
        for (int o = 0; o < expected.size(); o++) {
            Map<String, Object> out = (Map<String, Object>) outputs.get(o);
            Tensor want = expected.get(o);
            assertEquals(model.outputNames().get(o), out.get("name"));
            List<Object> shape = new ArrayList<>();
            for (long s : want.shape()) shape.add(s);
            assertEquals(shape, out.get("shape"), name + " output " + o + " shape");
            // Equal up to float32 rounding, not bit for bit: a model's GEMM/conv anchors switch between their
            // Vector API and BLAS forms as warm-up gates open or a timing guard closes one (docs/codegen-jvm.md), and
            // the two forms sum in different orders; the served and the in-process call may fall on either side.
            double[] wantValues = asDoubles(want);
            double[] got = decoded((List<Object>) out.get("data"), want);
            assertEquals(wantValues.length, got.length, name + " output " + o + " length");
            for (int i = 0; i < got.length; i++) {
                double tol = 1e-6 * Math.max(1e-2, Math.abs(wantValues[i]));
                assertEquals(wantValues[i], got[i], tol, name + " output " + o + " element " + i);
            }
        }
    }

    static Map<String, Object> tensorJson(String name, Tensor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        List<Object> shape = new ArrayList<>();
        for (long s : t.shape()) shape.add(s);
        m.put("shape", shape);
        List<Object> data = new ArrayList<>();
        switch (t.dtype()) {
            case FLOAT32 -> { m.put("datatype", "FP32"); for (float f : t.toFloatArray()) data.add((double) f); }
            case FLOAT64 -> { m.put("datatype", "FP64"); for (double d : t.toDoubleArray()) data.add(d); }
            case INT32 -> { m.put("datatype", "INT32"); for (int x : t.toIntArray()) data.add((long) x); }
            case INT64 -> { m.put("datatype", "INT64"); for (long x : t.toLongArray()) data.add(x); }
            case BOOL -> { m.put("datatype", "BOOL"); for (boolean b : t.toBoolArray()) data.add(b); }
        }
        m.put("data", data);
        return m;
    }

    /** Elements as doubles; float32 values rounded back to float first, as a client reading FP32 would. */
    static double[] decoded(List<Object> data, Tensor like) {
        double[] out = new double[data.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = data.get(i);
            double d = v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
            out[i] = like.dtype() == dev.kiln.ir.DType.FLOAT32 ? (float) d : d;
        }
        return out;
    }

    static double[] asDoubles(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> { float[] f = t.toFloatArray(); double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) d[i] = f[i]; yield d; }
            case FLOAT64 -> t.toDoubleArray();
            case INT32 -> java.util.Arrays.stream(t.toIntArray()).asDoubleStream().toArray();
            case INT64 -> java.util.Arrays.stream(t.toLongArray()).asDoubleStream().toArray();
            case BOOL -> { boolean[] b = t.toBoolArray(); double[] d = new double[b.length];
                for (int i = 0; i < b.length; i++) d[i] = b[i] ? 1 : 0; yield d; }
        };
    }
}
