package dev.kiln.runtime.cli;

import dev.kiln.eager.Parallel;
import dev.kiln.runtime.server.InferenceServer;
import dev.kiln.runtime.server.ServerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve <archive-or-folder>... [--host H] [--port P] [--max-batch [model=]N] [--max-delay-us [model=]N]
 * [--max-request-mb M] [--workers W] [--threads N]}:
 * serves the archives over the Open Inference Protocol until the process is stopped (SIGINT/SIGTERM shut it
 * down gracefully, finishing requests in flight). A bare N sets the default for every model; {@code model=N}
 * sets one model's (repeatable). {@code --max-batch 1} turns batching off. {@code --workers} is the number of
 * inference threads (default: one per core), {@code --threads} the kernels' intra-op threads (default 1).
 */
final class ServeCommand {
    private ServeCommand() {}

    static int run(String[] args, PrintStream out) {
        CommandLine cl = CommandLine.parse(args, Set.of("--host", "--port", "--max-batch", "--max-delay-us",
                "--max-request-mb", "--threads", "--workers"));
        List<Path> paths = cl.positionals().stream().map(Path::of).toList();
        if (paths.isEmpty()) throw CliFailure.usage("expected at least one archive or folder to serve");
        ServerOptions options = ServerOptions.defaults();
        String host = cl.optional("--host");
        int port = options.port();
        String p = cl.optional("--port");
        if (p != null) {
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) throw CliFailure.usage("--port expects 0..65535, found '" + p + "'");
        }
        // Requests already run in parallel on the workers; intra-op threads on top oversubscribe the cores (and
        // OpenBLAS's spinning threads then wait for descheduled peers), so a server defaults to 1 (docs/server.md).
        Parallel.setNumThreads(cl.positiveInt("--threads", 1));
        options = options.withInferenceThreads(cl.positiveInt("--workers", options.inferenceThreads()));
        options = options.withAddress(host == null ? options.host() : host, port)
                .withMaxRequestBytes(cl.positiveInt("--max-request-mb", 64) << 20);
        int maxBatch = options.batching().maxBatch();
        long maxDelay = options.batching().maxDelayMicros();
        for (String v : cl.all("--max-batch")) if (!v.contains("=")) maxBatch = (int) number("--max-batch", v, 1);
        for (String v : cl.all("--max-delay-us")) if (!v.contains("=")) maxDelay = number("--max-delay-us", v, 0);
        options = options.withBatching(maxBatch, maxDelay);
        java.util.Map<String, long[]> perModel = new java.util.LinkedHashMap<>();
        for (String v : cl.all("--max-batch")) {
            if (v.contains("=")) perModel.computeIfAbsent(v.substring(0, v.indexOf('=')), k -> new long[] {-1, -1})[0] =
                    number("--max-batch", v.substring(v.indexOf('=') + 1), 1);
        }
        for (String v : cl.all("--max-delay-us")) {
            if (v.contains("=")) perModel.computeIfAbsent(v.substring(0, v.indexOf('=')), k -> new long[] {-1, -1})[1] =
                    number("--max-delay-us", v.substring(v.indexOf('=') + 1), 0);
        }
        for (var e : perModel.entrySet()) {
            long[] b = e.getValue();
            options = options.withModelBatching(e.getKey(), (int) (b[0] < 0 ? maxBatch : b[0]), b[1] < 0 ? maxDelay : b[1]);
        }
        var models = loadModels(paths);
        for (String name : perModel.keySet()) {
            if (!models.containsKey(name)) {
                throw CliFailure.usage("batching option for unknown model '" + name + "' (serving: "
                        + String.join(", ", models.keySet()) + ")");
            }
        }
        InferenceServer server;
        try {
            server = InferenceServer.start(models, options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "kiln-serve-shutdown"));
        for (String name : server.modelNames()) {
            out.println("serving " + name + (server.batched(name) ? " (dynamic batching: max batch "
                    + options.policy(name).maxBatch() + ", max delay " + options.policy(name).maxDelayMicros()
                    + " us)" : " (no batching: " + server.whyNotBatched(name) + ")"));
        }
        out.println("listening on http://" + options.host() + ":" + server.port() + "/v2");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitStatus.OK;
    }

    private static java.util.Map<String, dev.kiln.runtime.LoadedModel> loadModels(List<Path> paths) {
        try {
            return dev.kiln.runtime.server.ModelRepository.load(dev.kiln.runtime.server.ModelRepository.archives(paths));
        } catch (IOException e) {
            throw new CliFailure(ExitStatus.BAD_ARCHIVE, e.getMessage());
        }
    }

    private static long number(String option, String v, long min) {
        try {
            long n = Long.parseLong(v);
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliFailure.usage(option + " expects an integer >= " + min + ", found '" + v + "'");
    }
}
