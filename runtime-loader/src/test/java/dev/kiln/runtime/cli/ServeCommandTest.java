package dev.kiln.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}'s refusals before it binds: each with its exit status and a message naming the problem. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void usageErrors() throws Exception {
        var r = RuntimeCliTest.cli("serve");
        assertEquals(ExitStatus.USAGE, r.status());
        assertTrue(r.err().contains("expected at least one archive or folder"), r.err());
        r = RuntimeCliTest.cli("serve", "x.kiln", "--port", "70000");
        assertEquals(ExitStatus.USAGE, r.status());
        assertTrue(r.err().contains("--port expects 0..65535, found '70000'"), r.err());
        r = RuntimeCliTest.cli("serve", "x.kiln", "--max-batch", "0");
        assertEquals(ExitStatus.USAGE, r.status());
        assertTrue(r.err().contains("--max-batch expects an integer >= 1, found '0'"), r.err());
        Path tiny = TinyModel.save(dir.resolve("tiny.kiln"));
        r = RuntimeCliTest.cli("serve", tiny.toString(), "--max-batch", "other=4");
        assertEquals(ExitStatus.USAGE, r.status());
        assertTrue(r.err().contains("batching option for unknown model 'other' (serving: tiny)"), r.err());
    }

    @Test
    void archivesThatCannotBeServed() throws Exception {
        var r = RuntimeCliTest.cli("serve", dir.resolve("missing.kiln").toString());
        assertEquals(ExitStatus.BAD_ARCHIVE, r.status());
        assertTrue(r.err().contains("no such archive or folder"), r.err());
        r = RuntimeCliTest.cli("serve", dir.toString());
        assertEquals(ExitStatus.BAD_ARCHIVE, r.status());
        assertTrue(r.err().contains("holds no .kiln archive"), r.err());
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        TinyModel.save(a.resolve("m.kiln"));
        TinyModel.save(b.resolve("m.kiln"));
        r = RuntimeCliTest.cli("serve", a.toString(), b.toString());
        assertEquals(ExitStatus.BAD_ARCHIVE, r.status());
        assertTrue(r.err().contains("two archives would be served as 'm'"), r.err());
        Path bad = Files.writeString(dir.resolve("bad name.kiln"), "x");
        r = RuntimeCliTest.cli("serve", bad.toString());
        assertEquals(ExitStatus.BAD_ARCHIVE, r.status());
        assertTrue(r.err().contains("model name 'bad name' must match"), r.err());
        Path garbage = Files.writeString(dir.resolve("garbage.kiln"), "not a zip");
        r = RuntimeCliTest.cli("serve", garbage.toString());
        assertEquals(ExitStatus.BAD_ARCHIVE, r.status());
    }
}
