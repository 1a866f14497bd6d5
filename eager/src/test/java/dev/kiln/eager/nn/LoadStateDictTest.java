package dev.kiln.eager.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Storage;
import dev.kiln.eager.Tensor;
import dev.kiln.ir.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadStateDictTest {
    /** A fresh contiguous copy of each entry, with float elements set to {@code base + i}. */
    private static Map<String, Tensor> valuesLike(Module m, double base) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            Tensor t = Tensor.empty(e.getValue().dtype(), e.getValue().intShape());
            for (int i = 0; i < t.storage().length(); i++) t.storage().setDouble(i, base + i);
            out.put(e.getKey(), t);
        }
        return out;
    }

    @Test
    void loadsAndCopiesValues() {
        Sequential s = new Sequential(new Linear(3, 4), new BatchNorm2d(4));
        Map<String, Tensor> sd = valuesLike(s, 10);
        IncompatibleKeys r = s.loadStateDict(sd);
        assertTrue(r.isEmpty());
        for (Map.Entry<String, Tensor> e : s.stateDict().entrySet()) {
            Tensor got = e.getValue();
            Tensor src = sd.get(e.getKey());
            assertNotSame(src, got, e.getKey());
            assertNotSame(src.storage(), got.storage(), e.getKey());
            for (int i = 0; i < got.numel(); i++) assertEquals(10 + i, got.storage().getDouble(i), e.getKey());
        }
        // Changing the source afterwards does not reach the module.
        sd.get("0.weight").storage().setDouble(0, -1);
        assertEquals(10, ((Linear) s.get(0)).weight().storage().getDouble(0));
        assertEquals(10, s.stateDict().get("1.num_batches_tracked").itemLong());
    }

    @Test
    void reportsEveryProblemAtOnceAndChangesNothing() {
        Sequential s = new Sequential(new Linear(3, 4), new BatchNorm2d(4));
        Map<String, Tensor> before = s.stateDict();
        float[] weightBefore = before.get("0.weight").storage().floats().clone();

        Map<String, Tensor> sd = valuesLike(s, 1);
        sd.put("0.weight", Tensor.empty(DType.FLOAT32, 4, 2));      // shape
        sd.put("0.bias", Tensor.empty(DType.FLOAT64, 4));           // dtype
        sd.put("1.weight", Tensor.empty(DType.INT32, 2));           // both
        sd.remove("1.running_var");                                  // missing
        sd.put("extra", Tensor.empty(DType.FLOAT32, 3));            // unexpected
        sd.put("1.foo", Tensor.empty(DType.INT64));                 // unexpected

        KilnException e = assertThrows(KilnException.class, () -> s.loadStateDict(sd));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("Error(s) in loading state_dict for Sequential (6 problems; nothing was loaded):"),
                msg);
        for (String line : List.of(
                "missing key '1.running_var': expected float32 [4], found no entry",
                "unexpected key 'extra': found float32 [3]",
                "unexpected key '1.foo': found int64 []",
                "shape mismatch for '0.weight': expected float32 [4, 3] (the model's), found float32 [4, 2]",
                "dtype mismatch for '0.bias': expected float32 [4] (the model's), found float64 [4]",
                "dtype and shape mismatch for '1.weight': expected float32 [4] (the model's), found int32 [2]")) {
            assertTrue(msg.contains(line), "missing '" + line + "' in:\n" + msg);
        }
        // Nothing was modified: same tensor objects, same values (the valid 1.bias was not loaded either).
        Map<String, Tensor> after = s.stateDict();
        for (String k : before.keySet()) assertSame(before.get(k), after.get(k), k);
        assertArrayEquals(weightBefore, after.get("0.weight").storage().floats());
        assertEquals(0, after.get("1.bias").storage().getDouble(0));
    }

    @Test
    void nonStrictToleratesMissingAndUnexpectedButNotMismatches() {
        Sequential s = new Sequential(new Linear(3, 4), new BatchNorm2d(4));
        Map<String, Tensor> sd = valuesLike(s, 5);
        sd.remove("1.running_var");
        sd.remove("0.bias");
        sd.put("extra", Tensor.empty(DType.FLOAT32, 3));
        Tensor varBefore = s.stateDict().get("1.running_var");

        IncompatibleKeys r = s.loadStateDict(sd, false);
        assertEquals(List.of("0.bias", "1.running_var"), r.missingKeys());
        assertEquals(List.of("extra"), r.unexpectedKeys());
        assertSame(varBefore, s.stateDict().get("1.running_var"));
        assertEquals(5, s.stateDict().get("0.weight").storage().getDouble(0));

        sd.put("0.weight", Tensor.empty(DType.FLOAT32, 3, 4));
        KilnException e = assertThrows(KilnException.class, () -> s.loadStateDict(sd, false));
        assertTrue(e.getMessage().contains("(1 problem; nothing was loaded)"), e.getMessage());
        assertTrue(e.getMessage().contains("shape mismatch for '0.weight': expected float32 [4, 3]"), e.getMessage());
        assertTrue(!e.getMessage().contains("extra"), e.getMessage());
    }

    @Test
    void nullValuesAreReported() {
        Linear l = new Linear(2, 2);
        Map<String, Tensor> sd = new LinkedHashMap<>(valuesLike(l, 0));
        sd.put("bias", null);
        KilnException e = assertThrows(KilnException.class, () -> l.loadStateDict(sd));
        assertTrue(e.getMessage().contains("value for 'bias': expected float32 [2], found null"), e.getMessage());
    }

    @Test
    void nonContiguousSourcesLoadInRowMajorOrder() {
        Linear l = new Linear(3, 2, false);
        float[] base = new float[10];
        for (int i = 0; i < base.length; i++) base[i] = i;
        // A [2, 3] view with transposed strides at offset 1: element (i, j) = base[1 + i + 2j].
        Tensor view = Tensor.fromStorage(Storage.wrap(base), new int[] {2, 3}, new int[] {1, 2}, 1);
        l.loadStateDict(Map.of("weight", view));
        assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, l.weight().storage().floats());
        assertTrue(l.weight().isContiguous());
    }

    /** A module whose {@code b.weight} is the very tensor of {@code a.weight} (tied weights). */
    static final class Tied extends Module {
        final Linear a = registerModule("a", new Linear(2, 2, false));
        final Holder b = registerModule("b", new Holder(a.weight()));
    }

    static final class Holder extends Module {
        Holder(Tensor shared) { registerParameter("weight", shared); }

        Tensor weight() { return param("weight"); }
    }

    @Test
    void tiedWeightsStayTiedAndTheLastValueWins() {
        Tied m = new Tied();
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("a.weight", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        sd.put("b.weight", Tensor.of(new float[] {5, 6, 7, 8}, 2, 2));
        m.loadStateDict(sd);
        assertSame(m.a.weight(), m.b.weight());
        assertArrayEquals(new float[] {5, 6, 7, 8}, m.a.weight().storage().floats());
    }

    @Test
    void ownStateDictRoundTrips() {
        Models.LeNetBN src = new Models.LeNetBN();
        Models.LeNetBN dst = new Models.LeNetBN();
        dst.loadStateDict(src.stateDict());
        for (Map.Entry<String, Tensor> e : src.stateDict().entrySet()) {
            Tensor d = dst.stateDict().get(e.getKey());
            for (int i = 0; i < d.numel(); i++) {
                assertEquals(e.getValue().storage().getDouble(i), d.storage().getDouble(i), e.getKey());
            }
        }
    }
}
