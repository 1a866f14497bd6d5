package dev.kiln.runtime.cli;

import dev.kiln.ir.graph.Block;
import dev.kiln.ir.graph.Node;
import dev.kiln.ir.graph.TensorData;
import dev.kiln.ir.text.IrPrinter;
import dev.kiln.runtime.Backends;
import dev.kiln.serialization.ArchiveEntry;
import dev.kiln.serialization.ArchiveMetadata;
import dev.kiln.serialization.KilnArchive;
import dev.kiln.serialization.RawTensor;
import dev.kiln.serialization.Signature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code inspect <file.kiln>}: verifies the archive (as loading does) and prints its metadata, signature, op
 * counts, sizes (parameters, constants, every entry), its generated code with each class's verification status
 * ({@link CodeReport}) and the graph text. Needs no backend: an archive compiled for
 * a backend this runtime lacks can still be inspected.
 */
final class InspectCommand {
    private InspectCommand() {}

    static int run(String[] args, PrintStream out) {
        CommandLine cl = CommandLine.parse(args, Set.of());
        String file = cl.onlyPositional("archive (.kiln file)");
        KilnArchive a = ModelFiles.readArchive(file);
        ArchiveMetadata m = a.metadata();
        String backend = Backends.requestedBy(m);

        out.printf("archive          %s (%s bytes), format %s%n", file, group(size(Path.of(file))), a.formatVersion());
        out.printf("written by       Kiln %s, %s%n", m.kilnVersion(), m.created());
        out.printf("model class      %s%n", m.modelClass().isEmpty() ? "(not recorded)" : m.modelClass());
        out.printf("backend          %s%s%n", backend,
                Backends.find(backend).isPresent() ? "" : "  (" + Backends.unavailableReason(backend) + ")");
        out.printf("trace options    %s%n", options(m.traceOptions()));
        out.printf("compile options  %s%n", options(m.compileOptions()));

        out.println();
        out.println("signature");
        for (Signature.Port p : a.signature().inputs()) out.printf("  input   %s%n", p);
        for (Signature.Port p : a.signature().outputs()) out.printf("  output  %s%n", p);

        Map<String, Integer> ops = new TreeMap<>();
        int nodes = count(a.graph().topBlock(), ops);
        out.println();
        out.printf("nodes            %d (%d kinds)%n", nodes, ops.size());
        for (Map.Entry<String, Integer> e : ops.entrySet()) out.printf("  %5d  %s%n", e.getValue(), e.getKey());

        long paramElems = 0;
        long paramBytes = 0;
        for (RawTensor t : a.parameters().values()) {
            paramElems += t.numel();
            paramBytes += t.byteLength();
        }
        out.println();
        out.printf("parameters       %d tensors, %s elements, %s bytes%n", a.parameters().size(), group(paramElems),
                group(paramBytes));
        for (Map.Entry<String, RawTensor> e : a.parameters().entrySet()) {
            RawTensor t = e.getValue();
            out.printf("  %-40s %s%s  %s bytes%n", e.getKey(), t.dtype().irName(), Arrays.toString(t.shape()),
                    group(t.byteLength()));
        }
        long constBytes = 0;
        for (TensorData c : a.constants().values()) constBytes += (long) c.numel() * c.dtype().itemSize();
        out.printf("constant table   %d tensors, %s bytes%n", a.constants().size(), group(constBytes));
        out.printf("generated code   %d class files, %d PTX kernels; extra files %d%n", a.classNames().size(),
                a.ptx().size(), a.extraNames().size());
        for (String line : CodeReport.lines(a)) out.println("  " + line);

        out.println();
        out.printf("entries          %d (each with a verified SHA-256)%n", a.index().size());
        for (ArchiveEntry e : a.index()) {
            out.printf("  %-32s %-12s %12s bytes  %s%n", e.name(), e.kind().name().toLowerCase(java.util.Locale.ROOT),
                    group(e.byteLength()), e.sha256().substring(0, Math.min(16, e.sha256().length())));
        }

        out.println();
        out.println("graph");
        out.print(IrPrinter.print(a.graph()));
        return ExitStatus.OK;
    }

    /** Counts nodes by kind name ({@code aten::linear}, {@code param}, {@code kiln::cond}), blocks included. */
    static int count(Block b, Map<String, Integer> byKind) {
        int n = 0;
        for (Node node : b.nodes()) {
            n++;
            byKind.merge(node.kind().name(), 1, Integer::sum);
            for (Block sub : node.blocks()) n += count(sub, byKind);
        }
        return n;
    }

    private static String options(Map<String, String> o) {
        if (o.isEmpty()) return "(none)";
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : o.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String group(long n) { return String.format(java.util.Locale.ROOT, "%,d", n); }
}
