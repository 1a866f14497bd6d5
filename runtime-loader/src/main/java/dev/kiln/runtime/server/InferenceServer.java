package dev.kiln.runtime.server;

import dev.kiln.runtime.LoadedModel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Open Inference Protocol (KServe v2 REST) server for loaded archives, on Netty.
 *
 * <p>Each connection's pipeline is {@link HttpServerCodec} → {@link HttpObjectAggregator} (the request size
 * limit: larger bodies get 413) → {@link RequestHandler}. Handlers parse and validate on the event loop, which is
 * cheap; model calls run on a fixed inference executor (or via a {@link DynamicBatcher}), and the answer is written
 * back from there. {@link #close()} is graceful: it stops accepting connections, answers new requests on open
 * connections with 503, waits for the requests in flight to be answered, then stops the threads.
 */
public final class InferenceServer implements AutoCloseable {
    private final Map<String, ServedModel> models;
    private final ServerMetrics metrics = new ServerMetrics();
    private final ExecutorService executor;
    private final EventLoopGroup boss = new NioEventLoopGroup(1);
    private final EventLoopGroup workers = new NioEventLoopGroup();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean accepting = true;
    private final Channel channel;

    private InferenceServer(Map<String, LoadedModel> loaded, ServerOptions options) throws InterruptedException {
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(options.inferenceThreads(), r -> {
            Thread t = new Thread(r, "kiln-infer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Map<String, ServedModel> m = new LinkedHashMap<>();
        for (var e : loaded.entrySet()) {
            m.put(e.getKey(), new ServedModel(e.getKey(), e.getValue(), options.policy(e.getKey()), executor,
                    options.inferenceThreads(), metrics));
        }
        this.models = Collections.unmodifiableMap(m);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(options.maxRequestBytes()),
                                new RequestHandler(InferenceServer.this));
                    }
                });
        try {
            this.channel = b.bind(options.host(), options.port()).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            shutdownThreads();
            throw e;
        }
    }

    /** Binds {@code options.host():options.port()} (port 0: an ephemeral port) and serves {@code models} by name. */
    public static InferenceServer start(Map<String, LoadedModel> models, ServerOptions options)
            throws InterruptedException {
        return new InferenceServer(models, options);
    }

    /** The port actually bound. */
    public int port() { return ((InetSocketAddress) channel.localAddress()).getPort(); }

    /** The served models' names, in order. */
    public java.util.Set<String> modelNames() { return models.keySet(); }

    /** Whether model {@code name} joins concurrent requests into batches. */
    public boolean batched(String name) { return models.get(name).batched(); }

    /** Why model {@code name} is not batched ("batching is off", "not batchable: ..."), or null when it is. */
    public String whyNotBatched(String name) { return models.get(name).whyNotBatched(); }

    ServedModel model(String name) { return models.get(name); }

    Map<String, ServedModel> models() { return models; }

    ServerMetrics metrics() { return metrics; }

    ExecutorService executor() { return executor; }

    boolean accepting() { return accepting; }

    /** Counts a request as in flight until {@link #requestDone()}. */
    void requestStarted() { inFlight.incrementAndGet(); }

    void requestDone() {
        synchronized (inFlight) {
            if (inFlight.decrementAndGet() == 0) inFlight.notifyAll();
        }
    }

    /** Requests being handled now. */
    int inFlight() { return inFlight.get(); }

    /** Graceful shutdown, waiting at most 30 s for requests in flight. */
    @Override
    public void close() { close(30_000); }

    /** Stops accepting, waits up to {@code timeoutMillis} for the requests in flight, then stops every thread. */
    public void close(long timeoutMillis) {
        accepting = false;
        channel.close().syncUninterruptibly();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) break;
                try {
                    inFlight.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        shutdownThreads();
    }

    private void shutdownThreads() {
        if (models != null) models.values().forEach(ServedModel::stop);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
