package dev.kiln.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden kernel assembles with {@code ptxas} for sm_80 (its {@code .target}) and sm_90 (the lent H100/H200),
 * without spilling registers to local memory. Skipped only where {@code ptxas} is not installed.
 */
class PtxasAcceptanceTest {

    @TestFactory
    Iterable<DynamicTest> everyKernelAssembles() {
        Optional<Ptxas> ptxas = Ptxas.find();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, PtxKernel> e : GoldenKernels.all().entrySet()) {
            for (String arch : new String[] {"sm_80", "sm_90"}) {
                tests.add(DynamicTest.dynamicTest(e.getKey() + " " + arch, () -> {
                    assumeTrue(ptxas.isPresent(), "ptxas not on PATH");
                    Ptxas.Result r = ptxas.get().assemble(e.getValue().ptx(), arch);
                    assertTrue(r.ok(), () -> "ptxas -arch=" + arch + " rejected " + e.getKey() + ":\n" + r.log());
                    assertTrue(r.log().contains("0 bytes spill stores"), () -> e.getKey() + " spills:\n" + r.log());
                }));
            }
        }
        return tests;
    }
}
