package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save → load → run of {@link TinyModel}: values, names, signature checks and concurrent calls. */
class LoadedModelTest {
    @TempDir
    static Path dir;
    static LoadedModel model;

    @BeforeAll
    static void load() throws Exception {
        model = KilnRuntime.load(TinyModel.save(dir.resolve("tiny.kiln")));
    }

    static void assertClose(double[] expected, Tensor actual, String what) {
        float[] a = actual.toFloatArray();
        assertEquals(expected.length, a.length, what + ": size");
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected[i], a[i], 1e-5 * (1 + Math.abs(expected[i])), what + " element " + i);
        }
    }

    @Test
    void signatureHasNamesTypesAndSymbols() {
        assertEquals(List.of("x", "s"), model.inputNames());
        assertEquals(List.of("y", "h"), model.outputNames());
        assertEquals("x : f32[B, 3]", model.signature().inputs().get(0).toString());
        assertEquals("h : f32[B, 2]", model.signature().outputs().get(1).toString());
        assertEquals("interp", model.backend());
        assertEquals("interp", model.metadata().compileOptions().get("backend"));
        assertEquals("test.TinyModel", model.metadata().modelClass());
    }

    @Test
    void forwardMatchesTheReferenceAtSeveralBatchSizes() {
        for (int batch : new int[] {1, 4, 0}) {
            float[] x = TinyModel.data(batch * 3, batch);
            float[] s = TinyModel.data(batch, -batch);
            List<Tensor> out = model.forward(Tensor.of(x, batch, 3), Tensor.of(s, batch));
            double[][] ref = TinyModel.reference(x, s);
            assertArrayEquals(new long[] {batch, 2}, out.get(0).shape());
            assertClose(ref[0], out.get(0), "y at batch " + batch);
            assertClose(ref[1], out.get(1), "h at batch " + batch);
        }
    }

    @Test
    void nonContiguousInputsAreReadThroughTheirStrides() {
        // x^T of a [3, 2] storage with an offset: x[i][k] = data[1 + k * 2 + i].
        float[] data = TinyModel.data(7, 0.3);
        Tensor x = Tensor.fromStorage(Storage.wrap(data), new int[] {2, 3}, new int[] {1, 2}, 1);
        float[] dense = new float[6];
        for (int i = 0; i < 2; i++) for (int k = 0; k < 3; k++) dense[i * 3 + k] = data[1 + k * 2 + i];
        float[] s = {1.5f, -2f};
        List<Tensor> out = model.forward(x, Tensor.of(s, 2));
        assertClose(TinyModel.reference(dense, s)[0], out.get(0), "y");
        assertArrayEquals(TinyModel.data(7, 0.3), data, 0f, "the input storage is unchanged");
    }

    @Test
    void runByNameReturnsOutputsByName() {
        float[] x = TinyModel.data(6, 1);
        float[] s = {0.5f, 3f};
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("s", Tensor.of(s, 2)); // any order
        in.put("x", Tensor.of(x, 2, 3));
        Map<String, Tensor> out = model.run(in);
        assertEquals(List.of("y", "h"), new ArrayList<>(out.keySet()));
        double[][] ref = TinyModel.reference(x, s);
        assertClose(ref[0], out.get("y"), "y");
        assertClose(ref[1], out.get("h"), "h");
    }

    private static InputMismatchException reject(Tensor... inputs) {
        return assertThrows(InputMismatchException.class, () -> model.forward(inputs));
    }

    private static void mentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }

    @Test
    void wrongNumberOfInputs() {
        InputMismatchException e = reject(Tensor.of(TinyModel.data(3, 0), 1, 3));
        assertNull(e.input());
        mentions(e, "expected 2 input(s) [x, s], found 1");
    }

    @Test
    void wrongDtypeNamesTheInput() {
        InputMismatchException e = reject(Tensor.of(new double[] {1, 2, 3}, 1, 3), Tensor.of(new float[] {1}, 1));
        assertEquals("x", e.input());
        mentions(e, "input 'x': dtype: expected f32, found f64", "expected f32[B, 3], found f64[1, 3]");
    }

    @Test
    void wrongRank() {
        InputMismatchException e = reject(Tensor.of(TinyModel.data(3, 0), 3), Tensor.of(new float[] {1}, 1));
        mentions(e, "input 'x': rank: expected 2, found 1", "found f32[3]");
    }

    @Test
    void wrongStaticDim() {
        InputMismatchException e = reject(Tensor.of(TinyModel.data(8, 0), 2, 4), Tensor.of(new float[] {1, 2}, 2));
        mentions(e, "input 'x': shape: expected f32[B, 3], found f32[2, 4] (dim 1: expected 3, found 4)");
    }

    @Test
    void symbolBoundByOneInputMustHoldForTheOther() {
        InputMismatchException e = reject(Tensor.of(TinyModel.data(6, 0), 2, 3), Tensor.of(new float[] {1, 2, 3}, 3));
        assertEquals("s", e.input());
        mentions(e, "input 's': shape: expected f32[B], found f32[3]", "dim 0: expected B = 2",
                "B = 2 from input 'x' dim 0", "found 3");
    }

    @Test
    void nullInput() {
        mentions(reject(Tensor.of(TinyModel.data(3, 0), 1, 3), null), "input 's': expected f32[B], found null");
    }

    @Test
    void missingAndUnknownNames() {
        Tensor x = Tensor.of(TinyModel.data(3, 0), 1, 3);
        InputMismatchException missing = assertThrows(InputMismatchException.class, () -> model.run(Map.of("x", x)));
        mentions(missing, "missing input 's' (expected f32[B])", "inputs are [x, s]");
        InputMismatchException unknown = assertThrows(InputMismatchException.class,
                () -> model.run(Map.of("x", x, "s", Tensor.of(new float[] {1}, 1), "z", x)));
        mentions(unknown, "unknown input 'z'", "inputs are [x, s]");
    }

    @Test
    void concurrentCallsFromEightThreadsGiveEachCallersAnswer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                Callable<String> task = () -> {
                    for (int call = 0; call < 50; call++) {
                        int batch = 1 + (id + call) % 5;
                        float[] x = TinyModel.data(batch * 3, id * 100 + call);
                        float[] s = TinyModel.data(batch, -id - call);
                        List<Tensor> out = model.forward(Tensor.of(x, batch, 3), Tensor.of(s, batch));
                        double[][] ref = TinyModel.reference(x, s);
                        assertClose(ref[0], out.get(0), "thread " + id + " call " + call + " y");
                        assertClose(ref[1], out.get(1), "thread " + id + " call " + call + " h");
                    }
                    return "ok";
                };
                results.add(pool.submit(task));
            }
            for (Future<String> f : results) assertEquals("ok", f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void outputsOfEveryDtypeRoundTripThroughTheArchive() throws Exception {
        // Parameters of each dtype survive export → load bit for bit (int64, bool, f64 here; f32 above).
        String ir = """
                graph(%x : i64[3]):
                  %k : i64[3] = param["k"]
                  %m : bool[3] = param["m"]
                  %d : f64[3] = param["d"]
                  %1 : i64[3] = aten::add(%x, %k)
                  %2 : f64[3] = aten::where(%m, %d, %1)
                  return (%1, %2)
                """;
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("k", Tensor.ofLongs(new long[] {Long.MAX_VALUE - 5, -7, 0}, 3));
        p.put("m", Tensor.ofBools(new boolean[] {true, false, true}, 3));
        p.put("d", Tensor.of(new double[] {-0.0, 1e300, Double.NaN}, 3));
        Path f = dir.resolve("dtypes.kiln");
        ArchiveExporter.save(dev.kiln.ir.text.IrParser.parse(ir), p, List.of("x"), List.of("sum", "picked"),
                dev.kiln.serialization.ArchiveMetadata.of("test.Dtypes"), f);
        LoadedModel m = KilnRuntime.load(f);
        List<Tensor> out = m.forward(Tensor.ofLongs(new long[] {5, 7, 1}, 3));
        assertEquals(DType.INT64, out.get(0).dtype());
        assertArrayEquals(new long[] {Long.MAX_VALUE, 0, 1}, out.get(0).toLongArray());
        double[] picked = out.get(1).toDoubleArray();
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(picked[0]));
        assertEquals(0.0, picked[1]);
        assertTrue(Double.isNaN(picked[2]));
    }
}
