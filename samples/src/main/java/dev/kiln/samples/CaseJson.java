package dev.kiln.samples;

import dev.kiln.eager.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of a conformance case's {@code case.json} Kiln uses: file names in argument order, tolerances, and the
 * inputs' and outputs' names (in argument order) with the inputs' dtypes and first shapes.
 */
public record CaseJson(String name, List<String> inputFiles0, List<String> inputFiles1, List<String> outputFiles0,
                       List<String> outputFiles1, double rtol, double atol, List<InputSpec> inputs,
                       List<String> outputNames) {

    /** One input as case.json describes it: its name, numpy dtype name ({@code float32}) and first shape. */
    public record InputSpec(String name, String dtype, long[] shape0) {}

    /** Reads {@code <caseDir>/case.json}. */
    public static CaseJson read(Path caseDir) {
        Path file = caseDir.resolve("case.json");
        Map<String, Object> root;
        try {
            root = object(Json.parse(Files.readString(file)), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<String> in0 = new ArrayList<>();
        List<String> in1 = new ArrayList<>();
        collectFiles(root, "inputs", in0, in1);
        List<String> out0 = new ArrayList<>();
        List<String> out1 = new ArrayList<>();
        collectFiles(root, "outputs", out0, out1);
        Map<String, Object> tol = object(root.get("tolerances"), "tolerances in " + file);
        List<InputSpec> inputs = new ArrayList<>();
        for (Object entry : array(root.get("inputs"), "inputs")) {
            Map<String, Object> e = object(entry, "inputs entry");
            List<?> shape = array(e.get("shape0"), "inputs.shape0");
            long[] shape0 = new long[shape.size()];
            for (int i = 0; i < shape0.length; i++) shape0[i] = ((Number) shape.get(i)).longValue();
            inputs.add(new InputSpec((String) e.get("name"), (String) e.get("dtype"), shape0));
        }
        List<String> outputNames = new ArrayList<>();
        for (Object entry : array(root.get("outputs"), "outputs")) {
            outputNames.add((String) object(entry, "outputs entry").get("name"));
        }
        return new CaseJson((String) root.get("name"), in0, in1, out0, out1,
                ((Number) tol.get("rtol")).doubleValue(), ((Number) tol.get("atol")).doubleValue(),
                List.copyOf(inputs), List.copyOf(outputNames));
    }

    /** The inputs' names in argument order ({@code x}; {@code ids}). */
    public List<String> inputNames() {
        List<String> out = new ArrayList<>();
        for (InputSpec s : inputs) out.add(s.name());
        return out;
    }

    /** Input file names for prefix {@code input0_}/{@code input1_}, output names for {@code output0_}/{@code output1_}. */
    public List<String> fileNames(String prefix) {
        return switch (prefix) {
            case "input0_" -> inputFiles0;
            case "input1_" -> inputFiles1;
            case "output0_" -> outputFiles0;
            case "output1_" -> outputFiles1;
            default -> throw new IllegalArgumentException("unknown file prefix " + prefix);
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String where) {
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException("case.json: expected an object for " + where + ", found " + v);
    }

    private static List<?> array(Object v, String where) {
        if (v instanceof List<?> l) return l;
        throw new IllegalArgumentException("case.json: expected an array for " + where + ", found " + v);
    }

    private static void collectFiles(Map<String, Object> root, String key, List<String> first, List<String> second) {
        for (Object entry : array(root.get(key), key)) {
            Map<String, Object> e = object(entry, key + " entry");
            for (Object f : array(e.get("files"), key + ".files")) {
                String name = (String) f;
                if (name.startsWith("input0_") || name.startsWith("output0_")) first.add(name);
                else if (name.startsWith("input1_") || name.equals("output1_eager.npy")
                        || name.startsWith("output1_") && !name.equals("output1_traced.npy")) second.add(name);
            }
        }
    }
}
