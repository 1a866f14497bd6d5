/**
 * The inference server: archives served over the Open Inference Protocol (KServe v2 REST) on Netty.
 *
 * <p>{@link dev.kiln.runtime.server.InferenceServer} owns the Netty event loops and the inference executor;
 * {@link dev.kiln.runtime.server.ModelRepository} names the loaded models; {@link dev.kiln.runtime.server.TensorJson}
 * converts between the protocol's JSON tensors and eager tensors, validating every field;
 * {@link dev.kiln.runtime.server.DynamicBatcher} joins concurrent requests along the batch dimension;
 * {@link dev.kiln.runtime.server.ServerMetrics} renders the Prometheus exposition. See docs/server.md.
 */
package dev.kiln.runtime.server;
