// Load test of the inference server (docs/server.md, docs/benchmarks.md). Single-file Java program:
//   java -cp 'runtime-loader/target/kiln-runtime.jar:runtime-loader/target/lib/*' scripts/ServerBench.java \
//        mlp.kiln [seconds per run, default 8]
// Serves the archive in this JVM on a loopback port, then for clients in {1, 32} x batching {off, on} sends
// batch-1 requests (the archive's first input with its symbolic dims set to 1) from that many client threads,
// each waiting for its answer before sending the next, for the given seconds after a 2 s warm-up. Prints
// requests/s and p50/p99 latency per configuration, and the in-process median of the same call. Run it with
// -Dkiln.threads=1, as `kiln serve` sets (intra-op threads on top of concurrent requests oversubscribe the cores).
// -Dbench.delay=US sets the batching delay (default 1000), -Dbench.metrics=1 prints the batch-size histogram.
import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Json;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.server.InferenceServer;
import dev.kiln.runtime.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public class ServerBench {
    public static void main(String[] args) throws Exception {
        Path archive = Path.of(args[0]);
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 8;
        LoadedModel model = KilnRuntime.load(archive);
        var in = model.signature().inputs().get(0);
        long[] shape = in.type().shape().dims().stream().mapToLong(d -> d.isConstant() ? d.constant() : 1).toArray();
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] x = new float[n];
        List<Object> data = new ArrayList<>();
        for (int i = 0; i < n; i++) { x[i] = (float) Math.sin(i * 0.37); data.add((double) x[i]); }
        List<Object> shapeJson = new ArrayList<>();
        for (long s : shape) shapeJson.add(s);
        String body = Json.write(Map.of("inputs", List.of(Map.of("name", in.name(), "shape", shapeJson,
                "datatype", "FP32", "data", data))));
        String name = archive.getFileName().toString().replace(".kiln", "");

        // In process: the same call, median of many.
        Tensor t = Tensor.wrap(x, shape);
        long end = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < end) model.forward(t);
        List<Long> inproc = new ArrayList<>();
        end = System.nanoTime() + (long) (seconds * 1e9 / 2);
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            model.forward(t);
            inproc.add(System.nanoTime() - t0);
        }
        System.out.printf(Locale.ROOT, "in-process forward: p50 %.3f ms, p99 %.3f ms (%d calls)%n",
                pct(inproc, 50) / 1e6, pct(inproc, 99) / 1e6, inproc.size());

        for (boolean batching : System.getProperty("bench.only") != null ? new boolean[] {true} : new boolean[] {false, true}) {
            ServerOptions opts = ServerOptions.defaults().withAddress("127.0.0.1", 0)
                    .withBatching(batching ? 32 : 1, batching ? Long.getLong("bench.delay", 1000) : 0);
            try (InferenceServer server = InferenceServer.start(Map.of(name, model), opts)) {
                URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v2/models/" + name + "/infer");
                for (int clients : new int[] {1, 32}) {
                    load(uri, body, clients, 2);
                    Result r = load(uri, body, clients, seconds);
                    System.out.printf(Locale.ROOT, "clients %2d, batching %-3s: %8.1f req/s, p50 %.3f ms, p99 %.3f ms"
                            + " (%d requests, %d errors)%n", clients, batching ? "on" : "off",
                            r.latencies.size() / r.seconds, pct(r.latencies, 50) / 1e6, pct(r.latencies, 99) / 1e6,
                            r.latencies.size(), r.errors);
                    if (System.getProperty("bench.metrics") != null) {
                        String m = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                        m.lines().filter(l -> l.startsWith("kiln_batch_size")).forEach(System.out::println);
                    }
                }
            }
        }
    }

    record Result(List<Long> latencies, double seconds, long errors) {}

    static Result load(URI uri, String body, int clients, double seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Future<long[]>> futures = new ArrayList<>();
        List<Long> all = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest req = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build();
                long errors = 0;
                List<Long> mine = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                    mine.add(System.nanoTime() - t0);
                    if (r.statusCode() != 200) errors++;
                }
                all.addAll(mine);
                return new long[] {errors};
            }));
        }
        long errors = 0;
        for (Future<long[]> f : futures) errors += f.get()[0];
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return new Result(all, elapsed, errors);
    }

    static double pct(List<Long> xs, int p) {
        long[] a = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return a[Math.min(a.length - 1, (int) Math.ceil(p / 100.0 * a.length) - 1)];
    }
}
