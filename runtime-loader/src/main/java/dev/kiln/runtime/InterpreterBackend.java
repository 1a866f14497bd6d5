package dev.kiln.runtime;

import dev.kiln.eager.interp.GuardPolicy;
import dev.kiln.eager.interp.Interpreter;
import dev.kiln.serialization.KilnArchive;
import java.util.Locale;

/**
 * Runs an archive's graph with the reference interpreter ({@link Interpreter}), node by node on the eager
 * kernels. Needs nothing but the graph and parameters, so it can run any archive; it is the backend of archives
 * saved before code generation exists and the fallback a user can always ask for.
 *
 * <p>The guard policy is the one recorded at trace time ({@code trace_options["guard_policy"]}: {@code error},
 * the default, or {@code warn}); guard warnings go to the logger {@code dev.kiln.runtime}.
 */
public final class InterpreterBackend implements Backend {
    /** The name archives use for this backend. */
    public static final String NAME = "interp";
    /** The trace option that records what a failed guard does. */
    public static final String GUARD_POLICY_OPTION = "guard_policy";

    @Override
    public String name() { return NAME; }

    @Override
    public Executor prepare(LoadContext context) throws ModelLoadException {
        KilnArchive archive = context.archive();
        GuardPolicy policy = guardPolicy(archive);
        System.Logger log = System.getLogger("dev.kiln.runtime");
        Interpreter interpreter = new Interpreter(archive.graph(), context.parameters(), policy,
                msg -> log.log(System.Logger.Level.WARNING, msg));
        // The interpreter keeps each run's state on the stack, so one instance serves every thread.
        return interpreter::run;
    }

    /** The guard policy recorded at trace time ({@code error} when none was). */
    static GuardPolicy guardPolicy(KilnArchive archive) throws ModelLoadException {
        String policyName = archive.metadata().traceOptions().getOrDefault(GUARD_POLICY_OPTION, "error");
        GuardPolicy policy;
        try {
            policy = GuardPolicy.valueOf(policyName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("trace option " + GUARD_POLICY_OPTION + " is '" + policyName
                    + "'; this runtime knows 'error' and 'warn'");
        }
        return policy;
    }
}
