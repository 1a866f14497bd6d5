package dev.kiln.samples;

import dev.kiln.eager.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The parts of a conformance case's {@code case.json} Kiln uses: file names in argument order and tolerances. */
public record CaseJson(String name, List<String> inputFiles0, List<String> inputFiles1, List<String> outputFiles0,
                       List<String> outputFiles1, double rtol, double atol) {

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
        return new CaseJson((String) root.get("name"), in0, in1, out0, out1,
                ((Number) tol.get("rtol")).doubleValue(), ((Number) tol.get("atol")).doubleValue());
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
