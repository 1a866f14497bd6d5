package dev.kiln.runtime.server;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Json;
import dev.kiln.serialization.Signature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * Routes one aggregated HTTP request to its Open Inference Protocol endpoint and writes the JSON answer. Errors
 * are answered as {@code {"error": "..."}} with 400 (bad input), 404 (unknown path, model or version), 405 (wrong
 * method) or 500 (a failure inside the server); the connection stays usable.
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String MODELS = "/v2/models/";
    /** The binary tensor data extension's header: the length of the JSON part of the body. */
    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private final InferenceServer server;

    RequestHandler(InferenceServer server) { this.server = server; }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        server.requestStarted();
        try {
            if (!req.decoderResult().isSuccess()) throw ApiException.badRequest("malformed HTTP request");
            if (!server.accepting()) throw new ApiException(503, "the server is shutting down");
            String path = new QueryStringDecoder(req.uri()).path();
            route(ctx, req, path, keepAlive);
        } catch (ApiException e) {
            error(ctx, e.status(), e.getMessage(), keepAlive);
        } catch (RuntimeException e) {
            error(ctx, 500, "internal error: " + e, keepAlive);
        }
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest req, String path, boolean keepAlive) {
        if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
        switch (path) {
            case "/v2/health/live" -> {
                requireGet(req);
                json(ctx, 200, Map.of("live", true), keepAlive);
                return;
            }
            case "/v2/health/ready" -> {
                requireGet(req);
                json(ctx, 200, Map.of("ready", true), keepAlive);
                return;
            }
            case "/v2" -> {
                requireGet(req);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", "kiln");
                m.put("version", "0.1.0");
                m.put("extensions", List.of("binary_tensor_data"));
                json(ctx, 200, m, keepAlive);
                return;
            }
            case "/metrics" -> {
                requireGet(req);
                write(ctx, 200, server.metrics().render(), "text/plain; version=0.0.4; charset=utf-8", keepAlive);
                return;
            }
            default -> { }
        }
        if (!path.startsWith(MODELS)) throw ApiException.notFound("no endpoint " + path);
        // {name}[/versions/{v}][/ready|/infer]
        String[] parts = path.substring(MODELS.length()).split("/", -1);
        ServedModel model = server.model(parts[0]);
        if (model == null) throw ApiException.notFound("unknown model '" + parts[0] + "'");
        int i = 1;
        if (parts.length > 2 && parts[1].equals("versions")) {
            if (!parts[2].equals(ServedModel.VERSION)) {
                throw ApiException.notFound("model '" + model.name() + "' has no version '" + parts[2]
                        + "' (versions: " + ServedModel.VERSION + ")");
            }
            i = 3;
        }
        String action = parts.length == i ? "" : parts.length == i + 1 ? parts[i] : null;
        if (action == null) throw ApiException.notFound("no endpoint " + path);
        switch (action) {
            case "" -> {
                requireGet(req);
                json(ctx, 200, metadata(model), keepAlive);
            }
            case "ready" -> {
                requireGet(req);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", model.name());
                m.put("ready", true);
                // Whether the model already runs at steady-state speed (its Vector API code compiled); it serves
                // either way.
                m.put("warm", model.model().awaitWarm(java.time.Duration.ZERO));
                json(ctx, 200, m, keepAlive);
            }
            case "infer" -> {
                if (req.method() != HttpMethod.POST) throw new ApiException(405, "infer needs POST, found " + req.method());
                infer(ctx, req, model, keepAlive);
            }
            default -> throw ApiException.notFound("no endpoint " + path);
        }
    }

    private static Map<String, Object> metadata(ServedModel model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", model.name());
        m.put("versions", List.of(ServedModel.VERSION));
        m.put("platform", "kiln");
        Signature sig = model.model().signature();
        m.put("inputs", sig.inputs().stream().map(TensorJson::metadata).toList());
        m.put("outputs", sig.outputs().stream().map(TensorJson::metadata).toList());
        return m;
    }

    /** Decodes and validates here (cheap); the model runs on the inference executor, which writes the answer. */
    private void infer(ChannelHandlerContext ctx, FullHttpRequest req, ServedModel model, boolean keepAlive) {
        long start = System.nanoTime();
        ServerMetrics.PerModel metrics = model.metrics();
        metrics.requests.increment();
        Map<String, Object> body;
        Map<String, Tensor> inputs;
        Map<String, Boolean> selected;
        Object id;
        try {
            // The binary tensor data extension: a JSON header of the given length, then the tensors' bytes.
            String headerLength = req.headers().get(HEADER_LENGTH);
            int jsonLength = req.content().readableBytes();
            ByteBuffer binary = null;
            if (headerLength != null) {
                try {
                    jsonLength = Integer.parseInt(headerLength.trim());
                } catch (NumberFormatException e) {
                    jsonLength = -1;
                }
                if (jsonLength < 0 || jsonLength > req.content().readableBytes()) {
                    throw ApiException.badRequest(HEADER_LENGTH + ": expected 0.." + req.content().readableBytes()
                            + " (the body's length), found '" + headerLength + "'");
                }
                byte[] rest = new byte[req.content().readableBytes() - jsonLength];
                req.content().getBytes(req.content().readerIndex() + jsonLength, rest);
                binary = ByteBuffer.wrap(rest);
            }
            Object parsed;
            try {
                parsed = Json.parse(req.content().toString(req.content().readerIndex(), jsonLength,
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("request body: " + e.getMessage());
            }
            body = TensorJson.object(parsed, "request body");
            for (String key : body.keySet()) {
                if (!List.of("id", "inputs", "outputs", "parameters").contains(key)) {
                    throw ApiException.badRequest(key + ": unknown field (known: id, inputs, outputs, parameters)");
                }
            }
            id = body.get("id");
            if (id != null && !(id instanceof String)) throw ApiException.badRequest("id: expected a string, found " + id);
            Signature sig = model.model().signature();
            if (!body.containsKey("inputs")) throw ApiException.badRequest("inputs: missing");
            inputs = TensorJson.decodeInputs(body.get("inputs"), sig, binary);
            Object params = body.get("parameters") == null ? null
                    : TensorJson.object(body.get("parameters"), "parameters").get("binary_data_output");
            if (params != null && !(params instanceof Boolean)) {
                throw ApiException.badRequest("parameters.binary_data_output: expected true or false, found " + params);
            }
            selected = selectedOutputs(body.get("outputs"), sig, Boolean.TRUE.equals(params));
        } catch (ApiException e) {
            metrics.failures.increment();
            metrics.latency.observe((System.nanoTime() - start) / 1e9);
            throw e;
        }
        model.infer(inputs).whenComplete((out, failure) -> {
            try {
                if (failure != null) {
                    metrics.failures.increment();
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    // The signature check and guards are the model's view of bad input: 400, naming the input.
                    int status = cause instanceof KilnException ? 400 : 500;
                    error(ctx, status, (status == 400 ? "" : "internal error: ") + cause.getMessage(), keepAlive);
                    return;
                }
                Map<String, Object> resp = new LinkedHashMap<>();
                resp.put("model_name", model.name());
                resp.put("model_version", ServedModel.VERSION);
                if (id != null) resp.put("id", id);
                List<Object> outputs = new ArrayList<>();
                List<byte[]> binaries = new ArrayList<>();
                for (var e : selected.entrySet()) {
                    Tensor t = out.get(e.getKey());
                    if (e.getValue()) {
                        outputs.add(TensorJson.encodeBinaryHeader(e.getKey(), t));
                        binaries.add(TensorJson.bytes(t));
                    } else {
                        outputs.add(TensorJson.encode(e.getKey(), t));
                    }
                }
                resp.put("outputs", outputs);
                if (binaries.isEmpty()) {
                    json(ctx, 200, resp, keepAlive);
                } else {
                    byte[] header = Json.write(resp).getBytes(StandardCharsets.UTF_8);
                    byte[][] parts = new byte[binaries.size() + 1][];
                    parts[0] = header;
                    for (int i = 0; i < binaries.size(); i++) parts[i + 1] = binaries.get(i);
                    write(ctx, 200, Unpooled.wrappedBuffer(parts), "application/octet-stream", header.length, keepAlive);
                }
            } catch (RuntimeException e) {
                metrics.failures.increment();
                error(ctx, 500, "internal error: " + e.getMessage(), keepAlive);
            } finally {
                metrics.latency.observe((System.nanoTime() - start) / 1e9);
            }
        });
    }

    /**
     * The outputs to answer with, each mapped to whether it goes binary: all, in signature order, or those the
     * request's {@code outputs} names ({@code parameters.binary_data} overrides {@code binaryDefault}).
     */
    private static Map<String, Boolean> selectedOutputs(Object outputs, Signature sig, boolean binaryDefault) {
        List<String> all = sig.outputs().stream().map(Signature.Port::name).toList();
        Map<String, Boolean> out = new LinkedHashMap<>();
        if (outputs == null) {
            for (String name : all) out.put(name, binaryDefault);
            return out;
        }
        if (!(outputs instanceof List<?> list)) throw ApiException.badRequest("outputs: expected an array");
        for (int i = 0; i < list.size(); i++) {
            String field = "outputs[" + i + "]";
            Map<String, Object> o = TensorJson.object(list.get(i), field);
            String name = TensorJson.string(o.get("name"), field + ".name");
            Object binary = o.get("parameters") == null ? null
                    : TensorJson.object(o.get("parameters"), field + ".parameters").get("binary_data");
            if (binary != null && !(binary instanceof Boolean)) {
                throw ApiException.badRequest(field + ".parameters.binary_data: expected true or false, found " + binary);
            }
            if (!all.contains(name)) {
                throw ApiException.badRequest(field + ".name: unknown output '" + name + "' (the model's outputs: "
                        + String.join(", ", all) + ")");
            }
            if (out.containsKey(name)) throw ApiException.badRequest(field + ".name: output '" + name + "' asked twice");
            out.put(name, binary == null ? binaryDefault : (Boolean) binary);
        }
        return out;
    }

    private static void requireGet(FullHttpRequest req) {
        if (req.method() != HttpMethod.GET) throw new ApiException(405, "expected GET, found " + req.method());
    }

    private void error(ChannelHandlerContext ctx, int status, String message, boolean keepAlive) {
        json(ctx, status, Map.of("error", message == null ? "unknown error" : message), keepAlive);
    }

    private void json(ChannelHandlerContext ctx, int status, Object body, boolean keepAlive) {
        write(ctx, status, Json.write(body), "application/json", keepAlive);
    }

    private void write(ChannelHandlerContext ctx, int status, String body, String contentType, boolean keepAlive) {
        write(ctx, status, Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)), contentType, -1, keepAlive);
    }

    /**
     * Writes the answer (thread-safe: Netty hands writes from other threads to the channel's event loop);
     * {@code headerLength >= 0} marks a binary-extension answer whose JSON part is that long.
     */
    private void write(ChannelHandlerContext ctx, int status, ByteBuf content, String contentType, int headerLength,
                       boolean keepAlive) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                content);
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (headerLength >= 0) resp.headers().set(HEADER_LENGTH, headerLength);
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        boolean close = !keepAlive || !server.accepting();
        if (!close) resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        var f = ctx.writeAndFlush(resp);
        f.addListener(x -> server.requestDone());
        if (close) f.addListener(ChannelFutureListener.CLOSE);
    }
}
