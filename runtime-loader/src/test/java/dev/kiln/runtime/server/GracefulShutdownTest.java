package dev.kiln.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.TinyModel;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link InferenceServer#close()} answers the requests in flight before it stops, then refuses connections. */
class GracefulShutdownTest {
    @TempDir
    Path dir;

    @Test
    void closeFinishesInFlightRequests() throws Exception {
        var model = KilnRuntime.load(TinyModel.save(dir.resolve("tiny.kiln")));
        // A long batching delay keeps the request in flight while close() starts.
        InferenceServer server = InferenceServer.start(Map.of("tiny", model),
                ServerOptions.defaults().withAddress("127.0.0.1", 0).withBatching(64, 400_000));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var uri = java.net.URI.create("http://127.0.0.1:" + server.port() + "/v2/models/tiny/infer");
        String body = InferenceServerTest.request("late", TinyModel.data(3, 0), TinyModel.data(1, 1));
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(
                HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        long deadline = System.currentTimeMillis() + 5000;
        while (server.inFlight() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(5);
        assertEquals(1, server.inFlight());
        server.close();
        HttpResponse<String> r = pending.get();
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"id\":\"late\""), r.body());
        assertThrows(java.io.IOException.class, () -> http.send(
                HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()));
    }
}
