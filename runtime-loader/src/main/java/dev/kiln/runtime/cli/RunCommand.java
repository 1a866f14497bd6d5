package dev.kiln.runtime.cli;

import dev.kiln.eager.Parallel;
import dev.kiln.eager.Tensor;
import dev.kiln.runtime.LoadedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code run <file.kiln> --input <file.npy>... --out-dir <dir> [--backend NAME] [--threads N]}: loads the archive,
 * runs it once on the inputs (in signature order) and writes {@code output0.npy, ...} in output order. Nothing is
 * written when loading, reading the inputs or running fails.
 */
final class RunCommand {
    private RunCommand() {}

    static int run(String[] args, PrintStream out) {
        CommandLine cl = CommandLine.parse(args, Set.of("--input", "--out-dir", "--backend", "--threads"));
        String archive = cl.onlyPositional("archive (.kiln file)");
        Path outDir = Path.of(cl.required("--out-dir"));
        String threads = cl.optional("--threads");
        if (threads != null) Parallel.setNumThreads(cl.positiveInt("--threads", 1));
        LoadedModel model = ModelFiles.load(archive, cl.optional("--backend"));
        Tensor[] inputs = ModelFiles.readInputs(cl.all("--input"));
        List<Tensor> outputs = Calls.forward(model, inputs);
        List<Path> written;
        try {
            written = OutputFiles.write(outDir, outputs);
        } catch (IOException e) {
            throw new CliFailure(ExitStatus.FAILED, "cannot write outputs to " + outDir + ": " + e);
        }
        for (int i = 0; i < written.size(); i++) {
            Tensor t = outputs.get(i);
            out.printf("%s  %s : %s%s%n", written.get(i), model.outputNames().get(i), t.dtype().irName(),
                    Arrays.toString(t.shape()));
        }
        return ExitStatus.OK;
    }
}
