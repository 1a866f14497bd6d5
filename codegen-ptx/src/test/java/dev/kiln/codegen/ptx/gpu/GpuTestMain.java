package dev.kiln.codegen.ptx.gpu;

import static org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the GPU test classes ({@code dev.kiln..*Gpu*Test}) without Maven, for the GPU machine, which has a Java
 * runtime carried in by {@code scripts/gpu-check.sh} but no build tool. Prints each test's outcome and the summary;
 * exits 0 only when tests ran and none failed. With {@code --require-gpu}, a skipped or aborted test (a failed assumption)
 * counts as a failure: on the GPU machine it means the device was not found.
 */
public final class GpuTestMain {
    private GpuTestMain() {}

    public static void main(String[] args) {
        boolean requireGpu = args.length > 0 && args[0].equals("--require-gpu");
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("dev.kiln"))
                .filters(includeClassNamePatterns(".*Gpu.*Test"))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener printer = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest() || id.isContainer()) System.out.println("SKIPPED " + id.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) return;
                System.out.println(result.getStatus() + " " + id.getUniqueId().replaceAll(".*class:([^\\]]*)].*method:([^\\]]*)].*", "$1.$2"));
                result.getThrowable().ifPresent(t -> System.out.println("    " + t));
            }
        };
        launcher.execute(request, summary, printer);
        TestExecutionSummary s = summary.getSummary();
        s.printTo(new PrintWriter(System.out));
        s.printFailuresTo(new PrintWriter(System.out), 20);
        boolean ok = s.getTestsFoundCount() > 0 && s.getTotalFailureCount() == 0
                && (!requireGpu || s.getTestsSkippedCount() + s.getTestsAbortedCount() == 0);
        System.exit(ok ? 0 : 1);
    }
}
