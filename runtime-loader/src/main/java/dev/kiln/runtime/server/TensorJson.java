package dev.kiln.runtime.server;

import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import dev.kiln.ir.sym.SymExpr;
import dev.kiln.ir.type.TensorType;
import dev.kiln.serialization.Signature;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Between the Open Inference Protocol's JSON tensors ({@code name}, {@code shape}, {@code datatype}, {@code data}
 * flat or nested, row-major) and eager tensors. Decoding checks every field against the model's signature and
 * throws {@link ApiException} (400) naming the field, so nothing malformed reaches the model.
 */
final class TensorJson {
    private TensorJson() {}

    /** The protocol's datatype name of {@code dtype}. */
    static String datatype(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "FP32";
            case FLOAT64 -> "FP64";
            case INT32 -> "INT32";
            case INT64 -> "INT64";
            case BOOL -> "BOOL";
        };
    }

    /** {@code type}'s shape for metadata: constant sizes as they are, symbolic sizes as -1. */
    static List<Object> metadataShape(TensorType type) {
        List<Object> out = new ArrayList<>();
        for (SymExpr d : type.shape().dims()) out.add(d.isConstant() ? d.constant() : -1L);
        return out;
    }

    /** One metadata entry: {@code {"name", "datatype", "shape"}}. */
    static Map<String, Object> metadata(Signature.Port port) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", port.name());
        m.put("datatype", datatype(port.type().dtype()));
        m.put("shape", metadataShape(port.type()));
        return m;
    }

    /**
     * The request's {@code inputs} as tensors by input name, in signature order. Every signature input must be
     * present exactly once; datatypes, ranks and constant sizes must match; {@code data} must hold exactly as
     * many elements as {@code shape} says, each of the datatype's JSON kind.
     */
    static Map<String, Tensor> decodeInputs(Object inputsJson, Signature signature) {
        return decodeInputs(inputsJson, signature, null);
    }

    /**
     * As {@link #decodeInputs(Object, Signature)}, with the binary tensor data extension: an input whose
     * {@code parameters.binary_data_size} is given takes its elements, little-endian and row-major (BOOL one byte
     * each), from {@code binary} in input order instead of from {@code data}; every byte must be claimed.
     */
    static Map<String, Tensor> decodeInputs(Object inputsJson, Signature signature, ByteBuffer binary) {
        if (!(inputsJson instanceof List<?> list)) throw ApiException.badRequest("inputs: expected an array of tensors");
        Map<String, Signature.Port> ports = new LinkedHashMap<>();
        for (Signature.Port p : signature.inputs()) ports.put(p.name(), p);
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String field = "inputs[" + i + "]";
            Map<String, Object> t = object(list.get(i), field);
            String name = string(t.get("name"), field + ".name");
            Signature.Port port = ports.get(name);
            if (port == null) {
                throw ApiException.badRequest(field + ".name: unknown input '" + name + "' (the model's inputs: "
                        + String.join(", ", ports.keySet()) + ")");
            }
            if (byName.containsKey(name)) throw ApiException.badRequest(field + ".name: input '" + name + "' given twice");
            byName.put(name, decode(t, port, field, binary));
        }
        if (binary != null && binary.hasRemaining()) {
            throw ApiException.badRequest("request body: " + binary.remaining()
                    + " bytes of binary data not claimed by any input's parameters.binary_data_size");
        }
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String name : ports.keySet()) {
            Tensor t = byName.get(name);
            if (t == null) throw ApiException.badRequest("inputs: missing input '" + name + "'");
            ordered.put(name, t);
        }
        return ordered;
    }

    private static Tensor decode(Map<String, Object> t, Signature.Port port, String field, ByteBuffer binary) {
        String expectedType = datatype(port.type().dtype());
        String datatype = string(t.get("datatype"), field + ".datatype");
        if (!datatype.equals(expectedType)) {
            throw ApiException.badRequest(field + ".datatype: input '" + port.name() + "' expects " + expectedType
                    + ", found " + datatype);
        }
        long[] shape = shape(t.get("shape"), field + ".shape");
        List<Object> expected = metadataShape(port.type());
        boolean fits = shape.length == expected.size();
        for (int d = 0; fits && d < shape.length; d++) {
            long want = (Long) expected.get(d);
            fits = want < 0 || want == shape[d];
        }
        if (!fits) {
            throw ApiException.badRequest(field + ".shape: input '" + port.name() + "' expects " + expected
                    + " (-1: any size), found " + java.util.Arrays.toString(shape));
        }
        long numel = 1;
        for (long s : shape) numel = Math.multiplyExact(numel, s);
        Object size = t.get("parameters") == null ? null
                : object(t.get("parameters"), field + ".parameters").get("binary_data_size");
        if (size != null) return binary(size, t, port.type().dtype(), shape, numel, field, binary);
        if (!t.containsKey("data")) throw ApiException.badRequest(field + ".data: missing");
        List<Object> flat = new ArrayList<>();
        flatten(t.get("data"), flat, field + ".data", 0);
        if (flat.size() != numel) {
            throw ApiException.badRequest(field + ".data: shape " + java.util.Arrays.toString(shape) + " needs "
                    + numel + " elements, found " + flat.size());
        }
        return Tensor.wrap(elements(flat, port.type().dtype(), field + ".data"), shape);
    }

    private static Tensor binary(Object size, Map<String, Object> t, DType dtype, long[] shape, long numel,
                                 String field, ByteBuffer binary) {
        String f = field + ".parameters.binary_data_size";
        if (!(size instanceof Long n) || n < 0) throw ApiException.badRequest(f + ": expected a size >= 0, found " + size);
        if (binary == null) {
            throw ApiException.badRequest(f + ": the request has no binary part (no Inference-Header-Content-Length header)");
        }
        if (t.containsKey("data")) throw ApiException.badRequest(field + ".data: not allowed with binary_data_size");
        long want = numel * elementSize(dtype);
        if (n != want) {
            throw ApiException.badRequest(f + ": shape " + java.util.Arrays.toString(shape) + " of " + datatype(dtype)
                    + " needs " + want + " bytes, found " + n);
        }
        if (binary.remaining() < n) {
            throw ApiException.badRequest(f + ": " + n + " bytes, but only " + binary.remaining() + " are left");
        }
        ByteBuffer b = binary.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.limit((int) want);
        binary.position(binary.position() + (int) want);
        int count = (int) numel;
        Object array = switch (dtype) {
            case FLOAT32 -> { float[] a = new float[count]; b.asFloatBuffer().get(a); yield a; }
            case FLOAT64 -> { double[] a = new double[count]; b.asDoubleBuffer().get(a); yield a; }
            case INT32 -> { int[] a = new int[count]; b.asIntBuffer().get(a); yield a; }
            case INT64 -> { long[] a = new long[count]; b.asLongBuffer().get(a); yield a; }
            case BOOL -> {
                boolean[] a = new boolean[count];
                for (int i = 0; i < count; i++) a[i] = b.get(i) != 0;
                yield a;
            }
        };
        return Tensor.wrap(array, shape);
    }

    /** Bytes per element in the binary extension. */
    static int elementSize(DType dtype) {
        return switch (dtype) {
            case FLOAT32, INT32 -> 4;
            case FLOAT64, INT64 -> 8;
            case BOOL -> 1;
        };
    }

    /** {@code t}'s elements little-endian, row-major (BOOL one byte each), for a binary answer. */
    static byte[] bytes(Tensor t) {
        int n = (int) t.numel();
        ByteBuffer b = ByteBuffer.allocate(n * elementSize(t.dtype())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
            case INT32 -> b.asIntBuffer().put(t.toIntArray());
            case INT64 -> b.asLongBuffer().put(t.toLongArray());
            case BOOL -> { for (boolean x : t.toBoolArray()) b.put((byte) (x ? 1 : 0)); }
        }
        return b.array();
    }

    /** {@code {"name", "datatype", "shape", "parameters": {"binary_data_size"}}}: the data goes after the JSON. */
    static Map<String, Object> encodeBinaryHeader(String name, Tensor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("datatype", datatype(t.dtype()));
        List<Object> shape = new ArrayList<>();
        for (long s : t.shape()) shape.add(s);
        m.put("shape", shape);
        m.put("parameters", Map.of("binary_data_size", t.numel() * elementSize(t.dtype())));
        return m;
    }

    private static Object elements(List<Object> flat, DType dtype, String field) {
        int n = flat.size();
        switch (dtype) {
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = (float) number(flat.get(i), field, i, dtype);
                return a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = number(flat.get(i), field, i, dtype);
                return a;
            }
            case INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    long v = integer(flat.get(i), field, i, dtype);
                    if (v != (int) v) throw ApiException.badRequest(field + "[" + i + "]: " + v + " does not fit INT32");
                    a[i] = (int) v;
                }
                return a;
            }
            case INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = integer(flat.get(i), field, i, dtype);
                return a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    if (!(flat.get(i) instanceof Boolean b)) throw wrongElement(flat.get(i), field, i, dtype);
                    a[i] = b;
                }
                return a;
            }
        }
        throw new AssertionError(dtype);
    }

    private static double number(Object v, String field, int i, DType dtype) {
        if (v instanceof Long l) return l;
        if (v instanceof Double d) return d;
        throw wrongElement(v, field, i, dtype);
    }

    private static long integer(Object v, String field, int i, DType dtype) {
        if (v instanceof Long l) return l;
        throw wrongElement(v, field, i, dtype);
    }

    private static ApiException wrongElement(Object v, String field, int i, DType dtype) {
        return ApiException.badRequest(field + "[" + i + "]: expected " + switch (dtype) {
            case FLOAT32, FLOAT64 -> "a number";
            case INT32, INT64 -> "an integer";
            case BOOL -> "true or false";
        } + " for " + datatype(dtype) + ", found " + (v instanceof String ? "\"" + v + "\"" : String.valueOf(v)));
    }

    /** Appends the leaves of {@code data} (nested arrays allowed) in row-major order. */
    private static void flatten(Object data, List<Object> out, String field, int depth) {
        if (data instanceof List<?> l) {
            for (Object o : l) flatten(o, out, field, depth + 1);
        } else if (depth == 0) {
            throw ApiException.badRequest(field + ": expected an array");
        } else if (data instanceof Map<?, ?>) {
            throw ApiException.badRequest(field + ": expected numbers or booleans, found an object");
        } else {
            out.add(data);
        }
    }

    private static long[] shape(Object v, String field) {
        if (!(v instanceof List<?> l)) throw ApiException.badRequest(field + ": expected an array of sizes");
        long[] s = new long[l.size()];
        for (int i = 0; i < s.length; i++) {
            if (!(l.get(i) instanceof Long n) || n < 0) {
                throw ApiException.badRequest(field + "[" + i + "]: expected a size >= 0, found " + l.get(i));
            }
            s[i] = n;
        }
        return s;
    }

    /** {@code {"name", "datatype", "shape", "data"}} of an output; {@code data} flat, row-major. */
    static Map<String, Object> encode(String name, Tensor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("datatype", datatype(t.dtype()));
        List<Object> shape = new ArrayList<>();
        for (long s : t.shape()) shape.add(s);
        m.put("shape", shape);
        List<Object> data = new ArrayList<>();
        switch (t.dtype()) {
            case FLOAT32 -> { for (float f : t.toFloatArray()) data.add(finite(name, f)); }
            case FLOAT64 -> { for (double d : t.toDoubleArray()) data.add(finite(name, d)); }
            case INT32 -> { for (int x : t.toIntArray()) data.add((long) x); }
            case INT64 -> { for (long x : t.toLongArray()) data.add(x); }
            case BOOL -> { for (boolean b : t.toBoolArray()) data.add(b); }
        }
        m.put("data", data);
        return m;
    }

    private static Double finite(String name, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalStateException("output '" + name + "' holds " + d + ", which JSON cannot carry");
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object v, String field) {
        if (!(v instanceof Map<?, ?> m)) throw ApiException.badRequest(field + ": expected an object");
        return (Map<String, Object>) m;
    }

    static String string(Object v, String field) {
        if (v == null) throw ApiException.badRequest(field + ": missing");
        if (!(v instanceof String s)) throw ApiException.badRequest(field + ": expected a string, found " + v);
        return s;
    }
}
