package dev.kiln.runtime.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Json;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.TinyModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over real HTTP on an ephemeral loopback port, with {@link TinyModel} saved as {@code tiny.kiln}. */
class InferenceServerTest {
    @TempDir
    static Path dir;
    static LoadedModel tiny;
    static InferenceServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Path file = TinyModel.save(dir.resolve("tiny.kiln"));
        tiny = KilnRuntime.load(file);
        var models = ModelRepository.load(ModelRepository.archives(List.of(dir)));
        server = InferenceServer.start(models, ServerOptions.defaults().withAddress("127.0.0.1", 0)
                .withBatching(16, 2000).withMaxRequestBytes(64 * 1024));
    }

    @AfterAll
    static void stop() { server.close(); }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(String path) { return URI.create("http://127.0.0.1:" + server.port() + path); }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> r) { return (Map<String, Object>) Json.parse(r.body()); }

    static String request(String id, float[] x, float[] s) {
        int b = s.length;
        return "{\"id\":\"" + id + "\",\"inputs\":[{\"name\":\"x\",\"shape\":[" + b + ",3],\"datatype\":\"FP32\",\"data\":"
                + list(x) + "},{\"name\":\"s\",\"shape\":[" + b + "],\"datatype\":\"FP32\",\"data\":" + list(s) + "}]}";
    }

    static String list(float[] a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < a.length; i++) sb.append(i == 0 ? "" : ",").append(a[i]);
        return sb.append(']').toString();
    }

    @SuppressWarnings("unchecked")
    static float[] output(Map<String, Object> resp, int i) {
        List<Object> data = (List<Object>) ((Map<String, Object>) ((List<Object>) resp.get("outputs")).get(i)).get("data");
        float[] out = new float[data.size()];
        for (int k = 0; k < out.length; k++) out[k] = ((Number) data.get(k)).floatValue();
        return out;
    }

    @Test
    void healthServerAndModelMetadata() throws Exception {
        assertEquals("{\"live\":true}", get("/v2/health/live").body());
        assertEquals("{\"ready\":true}", get("/v2/health/ready").body());
        assertEquals("kiln", json(get("/v2")).get("name"));
        String meta = "{\"name\":\"tiny\",\"versions\":[\"1\"],\"platform\":\"kiln\",\"inputs\":["
                + "{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,3]},{\"name\":\"s\",\"datatype\":\"FP32\",\"shape\":[-1]}],"
                + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,2]},"
                + "{\"name\":\"h\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]}";
        assertEquals(meta, get("/v2/models/tiny").body());
        assertEquals(meta, get("/v2/models/tiny/versions/1").body());
        Map<String, Object> ready = json(get("/v2/models/tiny/ready"));
        assertEquals("tiny", ready.get("name"));
        assertEquals(true, ready.get("ready"));
        assertTrue(ready.get("warm") instanceof Boolean, "warm: whether its Vector API code is compiled yet, " + ready);
        assertEquals(200, get("/v2/models/tiny/versions/1/ready").statusCode());
        assertTrue(server.batched("tiny"));
    }

    @Test
    void inferEqualsTheInProcessCall() throws Exception {
        for (int b : new int[] {1, 3, 7}) {
            float[] x = TinyModel.data(b * 3, b);
            float[] s = TinyModel.data(b, -b);
            HttpResponse<String> r = post("/v2/models/tiny/infer", request("req-" + b, x, s));
            assertEquals(200, r.statusCode(), r.body());
            Map<String, Object> resp = json(r);
            assertEquals("req-" + b, resp.get("id"));
            assertEquals("tiny", resp.get("model_name"));
            List<Tensor> expected = tiny.forward(Tensor.of(x, b, 3), Tensor.of(s, b));
            assertArrayEquals(expected.get(0).toFloatArray(), output(resp, 0));
            assertArrayEquals(expected.get(1).toFloatArray(), output(resp, 1));
            assertEquals(List.of((long) b, 2L), ((Map<?, ?>) ((List<?>) resp.get("outputs")).get(0)).get("shape"));
        }
    }

    @Test
    void nestedDataVersionedPathAndOutputSelection() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"s\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,-2]},"
                + "{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\",\"data\":[[1,2,3],[4,5,6]]}],"
                + "\"outputs\":[{\"name\":\"h\"}]}";
        HttpResponse<String> r = post("/v2/models/tiny/versions/1/infer", body);
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> resp = json(r);
        List<?> outputs = (List<?>) resp.get("outputs");
        assertEquals(1, outputs.size());
        assertEquals("h", ((Map<?, ?>) outputs.get(0)).get("name"));
        List<Tensor> expected = tiny.forward(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), Tensor.of(new float[] {1, -2}, 2));
        assertArrayEquals(expected.get(1).toFloatArray(), output(resp, 0));
        assertTrue(!resp.containsKey("id"));
    }

    @Test
    void badInputAnswers400Or404NamingTheField() throws Exception {
        String x = "{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}";
        String s = "{\"name\":\"s\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}";
        assertError(400, "request body: invalid JSON", post("/v2/models/tiny/infer", "{\"inputs\": [,]}"));
        assertError(400, "request body: expected an object", post("/v2/models/tiny/infer", "[1]"));
        assertError(400, "inputs: missing", post("/v2/models/tiny/infer", "{}"));
        assertError(400, "inputs: missing input 's'", post("/v2/models/tiny/infer", "{\"inputs\":[" + x + "]}"));
        assertError(400, "inputs[2].name: unknown input 'z'", post("/v2/models/tiny/infer",
                "{\"inputs\":[" + x + "," + s + "," + x.replace("\"x\"", "\"z\"") + "]}"));
        assertError(400, "inputs[1].name: input 'x' given twice", post("/v2/models/tiny/infer",
                "{\"inputs\":[" + x + "," + x + "]}"));
        assertError(400, "inputs[0].datatype: input 'x' expects FP32, found INT64", post("/v2/models/tiny/infer",
                "{\"inputs\":[" + x.replace("FP32", "INT64") + "," + s + "]}"));
        assertError(400, "inputs[0].shape: input 'x' expects [-1, 3] (-1: any size), found [1, 4]",
                post("/v2/models/tiny/infer", "{\"inputs\":[" + x.replace("[1,3]", "[1,4]") + "," + s + "]}"));
        assertError(400, "inputs[0].shape: input 'x' expects [-1, 3] (-1: any size), found [3]",
                post("/v2/models/tiny/infer", "{\"inputs\":[" + x.replace("[1,3]", "[3]") + "," + s + "]}"));
        assertError(400, "inputs[0].data: shape [2, 3] needs 6 elements, found 3",
                post("/v2/models/tiny/infer", "{\"inputs\":[" + x.replace("[1,3]", "[2,3]") + "," + s + "]}"));
        assertError(400, "inputs[1].data[0]: expected a number for FP32, found \"a\"",
                post("/v2/models/tiny/infer", "{\"inputs\":[" + x + "," + s.replace("[1]}", "[\"a\"]}") + "]}"));
        // Batch sizes that disagree between inputs: the model's own signature check, naming the input.
        assertError(400, "input 's'", post("/v2/models/tiny/infer",
                "{\"inputs\":[" + x + ",{\"name\":\"s\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]}]}"));
        assertError(400, "outputs[0].name: unknown output 'q'", post("/v2/models/tiny/infer",
                "{\"inputs\":[" + x + "," + s + "],\"outputs\":[{\"name\":\"q\"}]}"));
        assertError(400, "extra: unknown field", post("/v2/models/tiny/infer",
                "{\"inputs\":[" + x + "," + s + "],\"extra\":1}"));
        assertError(404, "unknown model 'nope'", post("/v2/models/nope/infer", "{}"));
        assertError(404, "unknown model 'nope'", get("/v2/models/nope"));
        assertError(404, "model 'tiny' has no version '2'", get("/v2/models/tiny/versions/2"));
        assertError(404, "model 'tiny' has no version '2'", post("/v2/models/tiny/versions/2/infer", "{}"));
        assertError(405, "infer needs POST", get("/v2/models/tiny/infer"));
        assertEquals(413, post("/v2/models/tiny/infer", "{\"id\":\"" + "a".repeat(70_000) + "\"}").statusCode());
        // Still serving.
        assertEquals(200, post("/v2/models/tiny/infer", "{\"inputs\":[" + x + "," + s + "]}").statusCode());
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("kiln_inference_failures_total{model=\"tiny\"}"), metrics);
    }

    static HttpResponse<byte[]> postBinary(String json, byte[] binary, int headerLength) throws Exception {
        byte[] j = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOf(j, j.length + binary.length);
        System.arraycopy(binary, 0, body, j.length, binary.length);
        return HTTP.send(HttpRequest.newBuilder(uri("/v2/models/tiny/infer"))
                .header("Inference-Header-Content-Length", Integer.toString(headerLength < 0 ? j.length : headerLength))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] le(float[] a) {
        var b = java.nio.ByteBuffer.allocate(a.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(a);
        return b.array();
    }

    @Test
    void binaryTensorDataExtension() throws Exception {
        float[] x = TinyModel.data(6, 0.5);
        float[] s = TinyModel.data(2, 1.5);
        byte[] bin = java.util.Arrays.copyOf(le(x), 32);
        System.arraycopy(le(s), 0, bin, 24, 8);
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":24}},{\"name\":\"s\",\"shape\":[2],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":8}}],"
                + "\"outputs\":[{\"name\":\"y\",\"parameters\":{\"binary_data\":true}},{\"name\":\"h\"}]}";
        HttpResponse<byte[]> r = postBinary(json, bin, -1);
        assertEquals(200, r.statusCode(), new String(r.body()));
        int headerLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        @SuppressWarnings("unchecked")
        Map<String, Object> resp = (Map<String, Object>) Json.parse(new String(r.body(), 0, headerLength,
                java.nio.charset.StandardCharsets.UTF_8));
        List<Tensor> expected = tiny.forward(Tensor.of(x, 2, 3), Tensor.of(s, 2));
        Map<?, ?> y = (Map<?, ?>) ((List<?>) resp.get("outputs")).get(0);
        assertEquals(Map.of("binary_data_size", 16L), y.get("parameters"));
        assertTrue(!y.containsKey("data"));
        assertArrayEquals(le(expected.get(0).toFloatArray()),
                java.util.Arrays.copyOfRange(r.body(), headerLength, r.body().length));
        assertArrayEquals(expected.get(1).toFloatArray(), output(resp, 1));

        assertErrorBytes(400, "inputs[0].parameters.binary_data_size: shape [2, 3] of FP32 needs 24 bytes, found 20",
                postBinary(json.replace(":24}", ":20}"), bin, -1));
        assertErrorBytes(400, "request body: 4 bytes of binary data not claimed",
                postBinary(json, java.util.Arrays.copyOf(bin, 36), -1));
        assertErrorBytes(400, "inputs[1].parameters.binary_data_size: 8 bytes, but only 4 are left",
                postBinary(json, java.util.Arrays.copyOf(bin, 28), -1));
        assertErrorBytes(400, "Inference-Header-Content-Length: expected 0..", postBinary(json, bin, 10_000));
        assertError(400, "inputs[0].parameters.binary_data_size: the request has no binary part",
                post("/v2/models/tiny/infer", json));
    }

    static void assertErrorBytes(int status, String fragment, HttpResponse<byte[]> r) {
        String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(status, r.statusCode(), body);
        assertTrue(body.contains(fragment), "expected '" + fragment + "' in " + body);
    }

    static void assertError(int status, String fragment, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        Object error = json(r).get("error");
        assertTrue(error instanceof String e && e.contains(fragment), "expected '" + fragment + "' in " + r.body());
    }

    /** 32 clients for about 5 s, batching on: no error, every answer equal to the same request answered alone. */
    @Test
    void concurrentClientsGetTheirOwnAnswers() throws Exception {
        int clients = 32;
        List<String> bodies = new ArrayList<>();
        List<float[][]> expected = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int b = 1 + c % 3;
            float[] x = TinyModel.data(b * 3, c * 0.37);
            float[] s = TinyModel.data(b, c * 1.1);
            bodies.add(request("c" + c, x, s));
            Map<String, Object> alone = json(post("/v2/models/tiny/infer", bodies.get(c)));
            expected.add(new float[][] {output(alone, 0), output(alone, 1)});
        }
        // 10 s of load, as the issue asks: long enough for many joined batches and a few GC cycles.
        long end = System.nanoTime() + 10_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Integer>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int me = c;
            done.add(pool.submit(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    HttpResponse<String> r = post("/v2/models/tiny/infer", bodies.get(me));
                    assertEquals(200, r.statusCode(), r.body());
                    Map<String, Object> resp = json(r);
                    assertEquals("c" + me, resp.get("id"));
                    assertArrayEquals(expected.get(me)[0], output(resp, 0));
                    assertArrayEquals(expected.get(me)[1], output(resp, 1));
                    n++;
                }
                return n;
            }));
        }
        int total = 0;
        for (Future<Integer> f : done) total += f.get();
        pool.shutdown();
        assertTrue(total > clients, "requests answered: " + total);
        String metrics = get("/metrics").body();
        // Some runs joined more than one request.
        long single = metricValue(metrics, "kiln_batch_size_bucket{model=\"tiny\",le=\"1\"}");
        long all = metricValue(metrics, "kiln_batch_size_count{model=\"tiny\"}");
        assertTrue(all > single, metrics);
        assertEquals(0, metricValue(metrics, "kiln_queue_depth{model=\"tiny\"}"));
    }

    static long metricValue(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) return (long) Double.parseDouble(line.substring(series.length() + 1));
        }
        throw new AssertionError("no " + series + " in\n" + text);
    }
}
