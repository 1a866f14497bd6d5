package dev.kiln.eager.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.eager.KilnException;
import dev.kiln.eager.Tensor;
import dev.kiln.eager.nn.IncompatibleKeys;
import dev.kiln.eager.nn.Linear;
import dev.kiln.eager.nn.Models;
import dev.kiln.eager.nn.Module;
import dev.kiln.eager.nn.Sequential;
import dev.kiln.ir.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDictsTest {
    @TempDir
    Path tmp;

    @Test
    void loadsTheMlpWeightsFolder() throws IOException {
        Map<String, Tensor> sd = StateDicts.loadNpyFolder(Fixtures.conformance().resolve("mlp/weights"));
        assertEquals(List.of("fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight", "fc3.bias", "fc3.weight"),
                List.copyOf(sd.keySet()));
        assertArrayEquals(new long[] {256, 784}, sd.get("fc1.weight").shape());
        assertArrayEquals(new long[] {10}, sd.get("fc3.bias").shape());
        for (Tensor t : sd.values()) assertEquals(DType.FLOAT32, t.dtype());
    }

    @Test
    void loadsFixtureWeightsIntoModelsBuiltFromKilnModules() throws IOException {
        Path conf = Fixtures.conformance();
        Models.MLP mlp = new Models.MLP();
        IncompatibleKeys r = StateDicts.loadInto(mlp, conf.resolve("mlp/weights"));
        assertTrue(r.isEmpty());
        // fc1.weight now holds the file's values, decoded here independently of Npy.
        Path f = conf.resolve("mlp/weights/fc1.weight.npy");
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        float[] w = mlp.fc1.weight().storage().floats();
        for (int i = 0; i < w.length; i += 997) assertEquals(raw.getFloat(128 + 4 * i), w[i], "element " + i);

        Models.LeNetBN lenet = new Models.LeNetBN();
        assertTrue(StateDicts.loadInto(lenet, conf.resolve("lenet_bn/weights")).isEmpty());
        Tensor count = lenet.stateDict().get("bn1.num_batches_tracked");
        assertEquals(DType.INT64, count.dtype());
        assertEquals(4, count.itemLong());

        assertTrue(StateDicts.loadInto(new Models.ResNetBlockNet(), conf.resolve("resnet_block/weights")).isEmpty());
        assertTrue(StateDicts.loadInto(new Models.TransformerBlock(), conf.resolve("transformer_block/weights"))
                .isEmpty());
    }

    @Test
    void safetensorsRoundTripIntoAFreshModel() throws IOException {
        Models.LeNetBN src = new Models.LeNetBN();
        Path f = tmp.resolve("lenet.safetensors");
        StateDicts.saveSafetensors(src.stateDict(), f);
        assertEquals(List.copyOf(src.stateDict().keySet()), List.copyOf(StateDicts.loadSafetensors(f).keySet()));
        Models.LeNetBN dst = new Models.LeNetBN();
        assertTrue(StateDicts.loadInto(dst, f).isEmpty());
        assertSameValues(src, dst);
    }

    @Test
    void npyFolderRoundTrip() throws IOException {
        Models.LeNetBN src = new Models.LeNetBN();
        Path dir = tmp.resolve("weights");
        StateDicts.saveNpyFolder(src.stateDict(), dir);
        assertTrue(Files.isRegularFile(dir.resolve("bn2.num_batches_tracked.npy")));
        Models.LeNetBN dst = new Models.LeNetBN();
        StateDicts.loadInto(dst, dir);
        assertSameValues(src, dst);
    }

    @Test
    void loadErrorsNameThePathAndEveryKey() throws IOException {
        Path conf = Fixtures.conformance();
        // The mlp weights into a model whose second layer is too small and whose third is missing.
        Module wrong = new Sequential(new Linear(784, 256), new Linear(256, 64));
        KilnException e = assertThrows(KilnException.class,
                () -> StateDicts.loadInto(wrong, conf.resolve("mlp/weights")));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(conf.resolve("mlp/weights") + ": Error(s) in loading state_dict for Sequential"),
                msg);
        for (String key : List.of("'0.weight'", "'0.bias'", "'1.weight'", "'1.bias'", "'fc1.weight'", "'fc3.bias'")) {
            assertTrue(msg.contains(key), key + " not in " + msg);
        }
        TensorFileException missing = assertThrows(TensorFileException.class,
                () -> StateDicts.load(tmp.resolve("nowhere")));
        assertTrue(missing.getMessage().contains("expected a folder of .npy files or a .safetensors file"));
        assertThrows(TensorFileException.class,
                () -> StateDicts.saveNpyFolder(Map.of("../escape", Tensor.of(new float[] {1})), tmp));
    }

    private static void assertSameValues(Module a, Module b) {
        Map<String, Tensor> sa = a.stateDict();
        Map<String, Tensor> sb = b.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) {
            assertEquals(sa.get(k).dtype(), sb.get(k).dtype(), k);
            assertArrayEquals(sa.get(k).shape(), sb.get(k).shape(), k);
            for (int i = 0; i < sa.get(k).numel(); i++) {
                assertEquals(sa.get(k).storage().getDouble(i), sb.get(k).storage().getDouble(i), k + "@" + i);
            }
        }
    }
}
