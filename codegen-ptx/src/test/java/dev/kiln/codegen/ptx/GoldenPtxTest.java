package dev.kiln.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The generated PTX of each kernel kind, compared exactly with the checked-in text under
 * {@code src/test/resources/golden}. After a deliberate generator change, regenerate with
 * {@code mvn -o -pl codegen-ptx -am test -Dtest=GoldenPtxTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dkiln.golden.update=true} (run from the repository root) and review the diff.
 */
class GoldenPtxTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @TestFactory
    Iterable<DynamicTest> generatedPtxMatchesGoldenText() {
        Map<String, PtxKernel> kernels = GoldenKernels.all();
        boolean update = Boolean.getBoolean("kiln.golden.update");
        return kernels.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Path file = GOLDEN.resolve(e.getKey() + ".ptx");
            String actual = e.getValue().ptx();
            if (update) Files.writeString(file, actual, StandardCharsets.UTF_8);
            assertTrue(Files.exists(file), "golden file missing: " + file.toAbsolutePath()
                    + " (regenerate with -Dkiln.golden.update=true)");
            assertEquals(read(file), actual, "generated PTX differs from " + file);
        }))::iterator;
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
