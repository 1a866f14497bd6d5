package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.codegen.ptx.cuda.CudaAvailability;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.LoadOptions;
import dev.kiln.runtime.LoadedModel;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conformance case end to end on the GPU: traced, saved as a {@code ptx} archive, loaded by the runtime with
 * {@code --device cuda} ({@link LoadOptions.Device#CUDA}: the archived PTX of each fusion group launched through
 * JCuda, the other ops on the eager kernels) and run on both fixture inputs, against PyTorch's outputs (case
 * tolerances) and the same archive on the interpreter (1e-5).
 *
 * <p>Skipped where no CUDA device is present (CI, build machines); {@code scripts/gpu-check.sh run} counts that
 * skip as a failure.
 */
class PtxArchiveGpuTest {
    static Stream<String> cases() { return ArchiveConformanceTest.cases(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ptxArchiveOnTheGpuMatchesPyTorchAndTheInterpreter(String name) throws Exception {
        CudaAvailability.Status s = CudaAvailability.check();
        assumeTrue(s.available(), s::describe);
        Path file = ArchiveConformanceTest.saveCase(name, "ptx");
        LoadedModel gpu = KilnRuntime.load(file, LoadOptions.defaults().withDevice(LoadOptions.Device.CUDA));
        assertEquals("ptx", gpu.backend());
        LoadedModel interp = KilnRuntime.load(file, LoadOptions.defaults().withBackend("interp"));

        ArchiveConformanceTest.expectMatch(name, gpu, 0);
        ArchiveConformanceTest.expectSame(name, gpu, interp, 0);
        if (name.equals("control_flow")) {
            Path dir = ConformanceCase.defaultSuite().resolve(name);
            Tensor[] in1 = ConformanceCase.inputs(dir, 1).toArray(Tensor[]::new);
            GuardFailedException e = assertThrows(GuardFailedException.class, () -> gpu.forward(in1));
            assertTrue(e.getMessage().contains("guard failed at ConditionalModel.java:"), e.getMessage());
        } else {
            ArchiveConformanceTest.expectMatch(name, gpu, 1);
            ArchiveConformanceTest.expectSame(name, gpu, interp, 1);
        }
    }
}
