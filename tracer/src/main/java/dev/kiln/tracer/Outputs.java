package dev.kiln.tracer;

import dev.kiln.eager.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The structure of a model's result — one tensor, a list of tensors, or a map of name to tensor — and its
 * flattening into the graph's output list and back.
 */
record Outputs(Kind kind, List<String> keys) {
    enum Kind { TENSOR, LIST, MAP }

    static Outputs of(Object result) {
        if (result instanceof Tensor) return new Outputs(Kind.TENSOR, List.of());
        if (result instanceof List<?> l) {
            for (Object o : l) requireTensor(o, "list element");
            return new Outputs(Kind.LIST, List.of());
        }
        if (result instanceof Map<?, ?> m) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                requireTensor(e.getValue(), "map value '" + e.getKey() + "'");
                keys.add(String.valueOf(e.getKey()));
            }
            return new Outputs(Kind.MAP, keys);
        }
        throw new TraceException("a traced model must return a Tensor, a List<Tensor> or a Map<String, Tensor>, "
                + "found " + (result == null ? "null" : result.getClass().getName()));
    }

    static List<Tensor> flatten(Object result) {
        if (result instanceof Tensor t) return List.of(t);
        if (result instanceof List<?> l) return l.stream().map(o -> (Tensor) o).toList();
        return ((Map<?, ?>) result).values().stream().map(o -> (Tensor) o).toList();
    }

    Object rebuild(List<Tensor> flat) {
        return switch (kind) {
            case TENSOR -> flat.get(0);
            case LIST -> List.copyOf(flat);
            case MAP -> {
                Map<String, Tensor> m = new LinkedHashMap<>();
                for (int i = 0; i < keys.size(); i++) m.put(keys.get(i), flat.get(i));
                yield m;
            }
        };
    }

    /** A name for output {@code i} in messages: its map key or its index. */
    String describe(int i) { return kind == Kind.MAP ? "output '" + keys.get(i) + "'" : "output " + i; }

    private static void requireTensor(Object o, String what) {
        if (!(o instanceof Tensor)) {
            throw new TraceException("a traced model's " + what + " must be a Tensor, found "
                    + (o == null ? "null" : o.getClass().getName()));
        }
    }
}
