package dev.kiln.runtime.cli;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.io.Npy;
import dev.kiln.ir.text.IrParser;
import dev.kiln.runtime.ArchiveExporter;
import dev.kiln.runtime.Backends;
import dev.kiln.serialization.ArchiveMetadata;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for the runtime's class-data-sharing archive ({@code target/kiln-runtime.jsa}, made at
 * {@code mvn package} by {@code java -XX:ArchiveClassesAtExit=... -cp kiln-runtime.jar} this class). The JVM
 * archives every class this run loads, so it goes through the same path as a user's {@code run} and
 * {@code inspect}: it writes two small archives whose graphs use the kernels the conformance models use (a
 * convolutional net and an attention block), once for each of {@link #BACKENDS}, then runs each through
 * {@link RuntimeCli} on {@code .npy} inputs (archive reading and verification, protobuf, the interpreter and the
 * {@code jvm} backend with its embedded class, the eager kernels, OpenBLAS through JavaCPP, {@code .npy} reading
 * and writing) and inspects one.
 *
 * <p>Classes a run needs beyond these (another model's extra kernels) still load from the jars, only without the
 * archive's head start. Exit status 0, or the failing command's status (the build then fails rather than ship an
 * archive of a broken path).
 */
public final class ClassDataTraining {
    /** Conv → batch norm → relu → pool, twice; flatten → linear → log_softmax (LeNet-like). */
    static final String CONV_NET = """
            graph(%x : f32[B, 1, 12, 12]):
              %c1.weight : f32[4, 1, 3, 3] = param["c1.weight"]
              %c1.bias : f32[4] = param["c1.bias"]
              %0 : f32[B, 4, 12, 12] = aten::conv2d(%x, %c1.weight, %c1.bias, padding=[1, 1])
              %bn.weight : f32[4] = param["bn.weight"]
              %bn.bias : f32[4] = param["bn.bias"]
              %bn.running_mean : f32[4] = param["bn.running_mean"]
              %bn.running_var : f32[4] = param["bn.running_var"]
              %1 : f32[B, 4, 12, 12] = aten::batch_norm(%0, %bn.weight, %bn.bias, %bn.running_mean, %bn.running_var)
              %2 : f32[B, 4, 12, 12] = aten::relu(%1)
              %3 : f32[B, 4, 6, 6] = aten::max_pool2d(%2, kernel_size=[2, 2], stride=[2, 2])
              %4 : f32[B, 4, 1, 1] = aten::adaptive_avg_pool2d(%3, output_size=[1, 1])
              %5 : f32[B, 4] = aten::flatten(%4, start_dim=1)
              %fc.weight : f32[3, 4] = param["fc.weight"]
              %fc.bias : f32[3] = param["fc.bias"]
              %6 : f32[B, 3] = aten::linear(%5, %fc.weight, %fc.bias)
              %7 : f32[B, 3] = aten::log_softmax(%6, dim=1)
              return (%7)
            """;

    /** Layer norm → linear → split heads → masked softmax attention → gelu MLP, with residual adds. */
    static final String ATTENTION = """
            graph(%x : f32[B, 4, 8]):
              %ln.weight : f32[8] = param["ln.weight"]
              %ln.bias : f32[8] = param["ln.bias"]
              %0 : f32[B, 4, 8] = aten::layer_norm(%x, %ln.weight, %ln.bias, normalized_shape=[8])
              %qkv.weight : f32[24, 8] = param["qkv.weight"]
              %qkv.bias : f32[24] = param["qkv.bias"]
              %1 : f32[B, 4, 24] = aten::linear(%0, %qkv.weight, %qkv.bias)
              %2, %3, %4 : f32[B, 4, 8], f32[B, 4, 8], f32[B, 4, 8] = aten::chunk(%1, chunks=3, dim=2)
              %5 : f32[B, 4, 2, 4] = aten::reshape(%2, shape=[B, 4, 2, 4])
              %6 : f32[B, 2, 4, 4] = aten::transpose(%5, dim0=1, dim1=2)
              %7 : f32[B, 4, 2, 4] = aten::reshape(%3, shape=[B, 4, 2, 4])
              %8 : f32[B, 2, 4, 4] = aten::transpose(%7, dim0=1, dim1=2)
              %9 : f32[B, 2, 4, 4] = aten::transpose(%8, dim0=-2, dim1=-1)
              %10 : f32[B, 2, 4, 4] = aten::matmul(%6, %9)
              %11 : f64[]{wrapped} = const(0.5)
              %12 : f32[B, 2, 4, 4] = aten::mul(%10, %11)
              %13 : bool[4, 4] = aten::ones(size=[4, 4], dtype=bool)
              %14 : bool[4, 4] = aten::triu(%13, diagonal=1)
              %15 : f64[]{wrapped} = const(-Infinity)
              %16 : f32[B, 2, 4, 4] = aten::masked_fill(%12, %14, %15)
              %17 : f32[B, 2, 4, 4] = aten::softmax(%16, dim=-1)
              %18 : f32[B, 4, 2, 4] = aten::reshape(%4, shape=[B, 4, 2, 4])
              %19 : f32[B, 2, 4, 4] = aten::transpose(%18, dim0=1, dim1=2)
              %20 : f32[B, 2, 4, 4] = aten::matmul(%17, %19)
              %21 : f32[B, 4, 2, 4] = aten::transpose(%20, dim0=1, dim1=2)
              %22 : f32[B, 4, 8] = aten::reshape(%21, shape=[B, 4, 8])
              %23 : f32[B, 4, 8] = aten::add(%x, %22)
              %fc.weight : f32[8, 8] = param["fc.weight"]
              %fc.bias : f32[8] = param["fc.bias"]
              %24 : f32[B, 4, 8] = aten::linear(%23, %fc.weight, %fc.bias)
              %25 : f32[B, 4, 8] = aten::gelu(%24)
              %26 : f32[B, 4, 8] = aten::tanh(%25)
              %27 : f32[B, 4, 8] = aten::sigmoid(%26)
              %28 : f32[B, 4, 8] = aten::add(%23, %27)
              return (%28)
            """;

    private ClassDataTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("kiln-cds-training");
        try {
            int status = train(dir);
            if (status != ExitStatus.OK) System.exit(status);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The backends whose load paths are trained: {@code interp} and {@code jvm} (the default of {@code kiln save}:
     * its archives carry the generated class, whose allow-list scan, loop plans and definition are then in the
     * class-data archive too). {@code ptx} needs a CUDA device and is left out.
     */
    static final List<String> BACKENDS = List.of("interp", "jvm");

    /** Runs the training commands in {@code dir}; returns the first non-zero exit status, or 0. */
    static int train(Path dir) throws IOException {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        RuntimeCli cli = new RuntimeCli(quiet, System.err);
        Path attnJvm = null;
        for (String backend : BACKENDS) {
            Path conv = save(dir, "conv", backend, CONV_NET, Map.of("c1.weight", new long[] {4, 1, 3, 3}, "c1.bias",
                    new long[] {4}, "bn.weight", new long[] {4}, "bn.bias", new long[] {4}, "bn.running_mean",
                    new long[] {4}, "bn.running_var", new long[] {4}, "fc.weight", new long[] {3, 4}, "fc.bias",
                    new long[] {3}), new long[] {2, 1, 12, 12});
            Path attn = save(dir, "attention", backend, ATTENTION, Map.of("ln.weight", new long[] {8}, "ln.bias",
                    new long[] {8}, "qkv.weight", new long[] {24, 8}, "qkv.bias", new long[] {24}, "fc.weight",
                    new long[] {8, 8}, "fc.bias", new long[] {8}), new long[] {2, 4, 8});
            for (Path archive : List.of(conv, attn)) {
                String name = archive.getFileName().toString().replace(".kiln", "");
                int status = cli.run("run", archive.toString(), "--input", dir.resolve(name + "_x.npy").toString(),
                        "--out-dir", dir.resolve(name + "_out").toString(), "--timing");
                if (status != ExitStatus.OK) return status;
            }
            attnJvm = attn;
        }
        return cli.run("inspect", attnJvm.toString());
    }

    /**
     * Writes {@code <name>-<backend>.kiln} for {@code backend} (parameters: positive, deterministic) and its input
     * {@code <name>-<backend>_x.npy}.
     */
    private static Path save(Path dir, String name, String backend, String ir, Map<String, long[]> shapes,
            long[] inputShape) throws IOException {
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) params.put(e.getKey(), pattern(e.getValue()));
        String file = name + "-" + backend;
        Path archive = dir.resolve(file + ".kiln");
        ArchiveExporter.save(IrParser.parse(ir), params, List.of("x"), List.of("y"),
                ArchiveMetadata.of(ClassDataTraining.class.getName())
                        .withCompileOptions(Map.of(Backends.OPTION, backend)), archive);
        Npy.write(pattern(inputShape), dir.resolve(file + "_x.npy"));
        return archive;
    }

    /** A tensor of the shape with values in [0.5, 1.5) (positive, so variances and logs stay finite). */
    private static Tensor pattern(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = 0.5f + (i * 7 % 10) / 10f;
        return Tensor.of(v, shape);
    }
}
