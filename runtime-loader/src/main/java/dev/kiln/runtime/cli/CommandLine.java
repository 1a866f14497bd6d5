package dev.kiln.runtime.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A command's arguments: positionals, {@code --option value} pairs (an option may repeat, as {@code --input}) and
 * {@code --flag}s without a value. Unknown options and missing values are usage errors naming the option.
 */
final class CommandLine {
    private final List<String> positionals = new ArrayList<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final Set<String> flags = new TreeSet<>();

    private CommandLine() {}

    /** Parses a command's {@code args}, accepting only {@code known} options (each takes one value). */
    static CommandLine parse(String[] args, Set<String> known) { return parse(args, known, Set.of()); }

    /** As {@link #parse(String[], Set)}, also accepting the value-less {@code knownFlags}. */
    static CommandLine parse(String[] args, Set<String> known, Set<String> knownFlags) {
        CommandLine c = new CommandLine();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (knownFlags.contains(a)) {
                c.flags.add(a);
            } else if (a.startsWith("--")) {
                if (!known.contains(a)) {
                    Set<String> all = new TreeSet<>(known);
                    all.addAll(knownFlags);
                    throw CliFailure.usage("unknown option '" + a + "' (" + (all.isEmpty() ? "this command takes none"
                            : "known: " + String.join(", ", all)) + ")");
                }
                if (i + 1 >= args.length) throw CliFailure.usage(a + " needs a value");
                c.options.computeIfAbsent(a, k -> new ArrayList<>()).add(args[++i]);
            } else {
                c.positionals.add(a);
            }
        }
        return c;
    }

    /** The single positional argument, described as {@code what} in the error. */
    String onlyPositional(String what) {
        if (positionals.size() != 1) {
            throw CliFailure.usage("expected one " + what + ", found " + (positionals.isEmpty() ? "none"
                    : positionals.size() + ": " + positionals));
        }
        return positionals.get(0);
    }

    /** Every positional argument, in order. */
    List<String> positionals() { return List.copyOf(positionals); }

    /** Whether flag {@code name} was given. */
    boolean flag(String name) { return flags.contains(name); }

    /** Every value of a repeatable option, in order. */
    List<String> all(String option) { return options.getOrDefault(option, List.of()); }

    /** The value of a single-use option, or null when absent. */
    String optional(String option) {
        List<String> v = all(option);
        if (v.size() > 1) throw CliFailure.usage(option + " given " + v.size() + " times");
        return v.isEmpty() ? null : v.get(0);
    }

    String required(String option) {
        String v = optional(option);
        if (v == null) throw CliFailure.usage(option + " is required");
        return v;
    }

    int positiveInt(String option, int dflt) {
        String v = optional(option);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliFailure.usage(option + " expects a positive integer, found '" + v + "'");
    }

    double positiveSeconds(String option, double dflt) {
        String v = optional(option);
        if (v == null) return dflt;
        try {
            double s = Double.parseDouble(v.toLowerCase(Locale.ROOT));
            if (s > 0 && Double.isFinite(s)) return s;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliFailure.usage(option + " expects a positive number of seconds, found '" + v + "'");
    }
}
