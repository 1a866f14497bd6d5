package dev.kiln.samples.cli;

import dev.kiln.eager.Generator;
import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import dev.kiln.eager.io.StateDicts;
import dev.kiln.eager.nn.Module;
import dev.kiln.runtime.Backends;
import dev.kiln.runtime.cli.ExitStatus;
import dev.kiln.samples.CaseArchives;
import dev.kiln.samples.CaseJson;
import dev.kiln.samples.ConformanceCase;
import dev.kiln.serialization.ArchiveEntry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./kiln trace <case> --weights <dir> [--example <file.npy>]... --out <file.kiln> [--backend jvm|ptx|interp]}:
 * traces the samples version of a conformance case with the weights in {@code <dir>} (a folder of
 * {@code <key>.npy}, a {@code .safetensors} file, or a case folder holding {@code weights/}) and saves the archive:
 * for {@code jvm} (the default) with the optimised graph and its generated class, for {@code ptx} with the PTX
 * kernels as well, for {@code interp} with the traced graph only.
 *
 * <p>Without {@code --example}, float inputs are random normal values of the case's first shape (from its
 * case.json, found beside the weights or in the conformance suite); integer inputs (token ids) cannot be drawn
 * without knowing their valid range, so the case's own {@code input0} is used. Names come from case.json.
 * Exit statuses as the runtime CLI: 2 bad usage (unknown case, missing option, an unknown backend), 4 a
 * malformed example, 1 a failed trace.
 */
final class TraceCommand {
    private TraceCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return trace(args, out, err);
        } catch (Failure f) {
            err.println("kiln trace: " + f.getMessage());
            return f.status;
        }
    }

    private static int trace(String[] args, PrintStream out, PrintStream err) {
        String caseName = null;
        Path weights = null;
        Path file = null;
        String backend = CaseArchives.DEFAULT_BACKEND;
        List<Path> examples = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--weights" -> weights = Path.of(value(args, ++i, "--weights"));
                case "--example" -> examples.add(Path.of(value(args, ++i, "--example")));
                case "--out" -> file = Path.of(value(args, ++i, "--out"));
                case "--backend" -> backend = value(args, ++i, "--backend");
                default -> {
                    if (args[i].startsWith("--")) {
                        throw usage("unknown option '" + args[i] + "' (known: --weights, --example, --out, --backend)");
                    }
                    if (caseName != null) throw usage("expected one case name, found '" + caseName + "' and '"
                            + args[i] + "'");
                    caseName = args[i];
                }
            }
        }
        if (caseName == null) throw usage("expected a case name (" + known() + ")");
        if (weights == null) throw usage("--weights <dir> is required");
        if (file == null) throw usage("--out <file.kiln> is required");
        if (Backends.find(backend).isEmpty()) throw usage(Backends.unavailableReason(backend));
        ConformanceCase c;
        try {
            c = ConformanceCase.byName(caseName);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (!Files.exists(weights)) throw usage("weights " + weights + " not found");
        Path weightsPath = Files.isDirectory(weights.resolve("weights")) ? weights.resolve("weights") : weights;
        CaseJson meta = caseJson(caseName, weightsPath);

        Module model = c.create();
        try {
            StateDicts.loadInto(model, weightsPath);
        } catch (IOException | KilnException e) {
            throw new Failure(ExitStatus.USAGE, "cannot load the weights of " + caseName + " from " + weightsPath
                    + ": " + e.getMessage());
        }
        Tensor[] example = examples.isEmpty() ? defaultExample(caseName, meta, err) : readExamples(examples);
        CaseArchives.Traced traced;
        try {
            traced = CaseArchives.trace(caseName, model, meta, example);
        } catch (KilnException e) {
            throw new Failure(ExitStatus.FAILED, "tracing " + caseName + " failed: " + e.getMessage());
        }
        for (String w : traced.module().warnings()) err.println("kiln trace: warning: " + w);
        List<ArchiveEntry> entries;
        try {
            entries = CaseArchives.save(traced, file, backend);
        } catch (IOException e) {
            throw new Failure(ExitStatus.FAILED, "cannot write " + file + ": " + e.getMessage());
        }
        long bytes = entries.stream().mapToLong(ArchiveEntry::byteLength).sum();
        out.printf("traced %s (%s) at %s%n", caseName, model.getClass().getSimpleName(), describe(example));
        out.printf("wrote %s: %d entries, %,d bytes of content, backend %s%n", file, entries.size(), bytes, backend);
        out.printf("signature: %s -> %s%n", traced.module().graph().inputs().isEmpty() ? "()" : ports(traced, true),
                ports(traced, false));
        return ExitStatus.OK;
    }

    /** case.json beside the weights, one folder up, or in the conformance suite; null when there is none. */
    private static CaseJson caseJson(String caseName, Path weightsPath) {
        Path dir = weightsPath.toAbsolutePath().normalize();
        for (Path p : new Path[] {dir, dir.getParent(), ConformanceCase.defaultSuite().resolve(caseName)}) {
            if (p != null && Files.isRegularFile(p.resolve("case.json"))) return CaseJson.read(p);
        }
        return null;
    }

    private static Tensor[] defaultExample(String caseName, CaseJson meta, PrintStream err) {
        if (meta == null) {
            throw usage("no case.json found for " + caseName + " to draw a random example from; pass --example "
                    + "<file.npy>");
        }
        Generator gen = new Generator(0);
        Tensor[] out = new Tensor[meta.inputs().size()];
        for (int i = 0; i < out.length; i++) {
            CaseJson.InputSpec s = meta.inputs().get(i);
            if (s.dtype().equals("float32")) {
                out[i] = Tensor.randn(gen, s.shape0());
            } else {
                Path caseDir = ConformanceCase.defaultSuite().resolve(caseName);
                err.println("kiln trace: input '" + s.name() + "' is " + s.dtype() + " (ids with a limited range): "
                        + "using the case's input0 as the example");
                out[i] = ConformanceCase.inputs(caseDir, 0).get(i);
            }
        }
        return out;
    }

    private static Tensor[] readExamples(List<Path> files) {
        Tensor[] out = new Tensor[files.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = Npy.read(files.get(i));
            } catch (IOException | KilnException e) {
                throw new Failure(ExitStatus.BAD_INPUT, "example " + i + ": cannot read " + files.get(i) + ": "
                        + e.getMessage());
            }
        }
        return out;
    }

    private static String ports(CaseArchives.Traced t, boolean inputs) {
        List<String> names = inputs ? t.inputNames() : t.outputNames();
        var values = inputs ? t.module().graph().inputs() : t.module().graph().outputs();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) parts.add(names.get(i) + " : " + values.get(i).type());
        return "(" + String.join(", ", parts) + ")";
    }

    private static String describe(Tensor[] example) {
        List<String> parts = new ArrayList<>();
        for (Tensor t : example) parts.add(t.dtype().irName() + Arrays.toString(t.shape()));
        return String.join(", ", parts);
    }

    private static String known() {
        List<String> names = new ArrayList<>();
        for (ConformanceCase c : ConformanceCase.values()) names.add(c.caseName());
        return "one of " + String.join(", ", names);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw usage(option + " needs a value");
        return args[i];
    }

    private static Failure usage(String message) { return new Failure(ExitStatus.USAGE, message); }

    /** An expected failure: message only, with its exit status. */
    private static final class Failure extends RuntimeException {
        final int status;

        Failure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
