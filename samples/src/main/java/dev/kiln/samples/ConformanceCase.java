package dev.kiln.samples;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import dev.kiln.eager.io.StateDicts;
import dev.kiln.eager.nn.Module;
import dev.kiln.samples.models.ConditionalModel;
import dev.kiln.samples.models.ElementwiseChain;
import dev.kiln.samples.models.EmbeddingRecurrent;
import dev.kiln.samples.models.LeNetBn;
import dev.kiln.samples.models.Mlp;
import dev.kiln.samples.models.MyNet;
import dev.kiln.samples.models.ResNetBlockNet;
import dev.kiln.samples.models.TransformerBlock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The Java version of each PyTorch conformance case ({@code shared/conformance/<name>}), and access to the
 * case's files: weights, inputs and PyTorch's expected outputs.
 */
public enum ConformanceCase {
    MLP("mlp", Mlp::new),
    MYNET("mynet", MyNet::new),
    LENET_BN("lenet_bn", LeNetBn::new),
    ELEMENTWISE_CHAIN("elementwise_chain", ElementwiseChain::new),
    TRANSFORMER_BLOCK("transformer_block", TransformerBlock::new),
    RESNET_BLOCK("resnet_block", ResNetBlockNet::new),
    CONTROL_FLOW("control_flow", ConditionalModel::new),
    EMBEDDING_LSTM_LIKE("embedding_lstm_like", EmbeddingRecurrent::new);

    private final String caseName;
    private final Supplier<Module> factory;

    ConformanceCase(String caseName, Supplier<Module> factory) {
        this.caseName = caseName;
        this.factory = factory;
    }

    /** The folder name in the conformance suite. */
    public String caseName() { return caseName; }

    /** A fresh model with its default (random) initialisation, in eval mode. */
    public Module create() {
        Module m = factory.get();
        m.eval();
        return m;
    }

    /** A model in eval mode with the case's PyTorch weights loaded from {@code <caseDir>/weights}. */
    public Module load(Path caseDir) {
        Module m = create();
        Path weights = caseDir.resolve("weights");
        if (Files.isDirectory(weights)) {
            try {
                StateDicts.loadInto(m, weights);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load weights of case " + caseName + " from " + weights, e);
            }
        }
        return m;
    }

    /** The case with that folder name; the error lists the known ones. */
    public static ConformanceCase byName(String name) {
        for (ConformanceCase c : values()) if (c.caseName.equals(name)) return c;
        List<String> known = new ArrayList<>();
        for (ConformanceCase c : values()) known.add(c.caseName);
        throw new IllegalArgumentException("unknown conformance case '" + name + "'; known cases: " + known);
    }

    /** Inputs of example {@code index} (0 or 1), in the model's argument order. */
    public static List<Tensor> inputs(Path caseDir, int index) { return readAll(caseDir, "input" + index + "_"); }

    /**
     * PyTorch's eager outputs for example {@code index}, in output order. For {@code control_flow}'s second example,
     * the eager (correct) output is returned, not the deliberately wrong traced one.
     */
    public static List<Tensor> expectedOutputs(Path caseDir, int index) {
        return readAll(caseDir, "output" + index + "_");
    }

    /** Runs the model on inputs and returns its outputs as a list (one tensor or several). */
    @SuppressWarnings("unchecked")
    public static List<Tensor> run(Module model, List<Tensor> inputs) {
        Object result = model.forward(inputs.toArray(Tensor[]::new));
        if (result instanceof Tensor t) return List.of(t);
        if (result instanceof List<?> l) return (List<Tensor>) l;
        throw new IllegalStateException("model returned " + result);
    }

    private static List<Tensor> readAll(Path caseDir, String prefix) {
        // Input and output files are ordered by the case's argument order; the fixture names them
        // <prefix><name>.npy with one file per argument. case.json gives the order; files sort the same way only
        // when there is one, so read the order from case.json.
        List<String> names = CaseJson.read(caseDir).fileNames(prefix);
        List<Tensor> out = new ArrayList<>();
        for (String n : names) {
            try {
                out.add(Npy.read(caseDir.resolve(n)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + caseDir.resolve(n), e);
            }
        }
        return out;
    }

    /**
     * Where the conformance suite is: the system property {@code kiln.conformance.dir}, else the environment
     * variable {@code KILN_CONFORMANCE}, else {@code ../shared/conformance} beside the Kiln checkout
     * ({@code KILN_HOME}, set by the launcher) or beside the working directory.
     */
    public static Path defaultSuite() {
        String p = System.getProperty("kiln.conformance.dir");
        if (p == null) p = System.getenv("KILN_CONFORMANCE");
        if (p != null) return Path.of(p);
        String home = System.getenv("KILN_HOME");
        return (home != null ? Path.of(home) : Path.of("")).toAbsolutePath().resolve("../shared/conformance").normalize();
    }

    /** Every folder in {@code suiteDir} that holds a case.json, sorted by name. */
    public static List<Path> caseDirs(Path suiteDir) {
        try (Stream<Path> s = Files.list(suiteDir)) {
            return s.filter(p -> Files.exists(p.resolve("case.json"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list conformance suite " + suiteDir, e);
        }
    }
}
