package dev.kiln.runtime;

import dev.kiln.eager.Tensor;
import dev.kiln.serialization.KilnArchive;
import dev.kiln.serialization.RawTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Backend} gets to prepare an archive: the archive, where it came from, the load options, the
 * parameters as eager tensors (converted on first request only — a compiled graph has them frozen in and never asks,
 * which saves a copy of every weight), and a list of notes about the code it chose ("verified", "regenerated
 * because ...") that the model reports ({@link LoadedModel#codeNotes()}). Used by one loading thread.
 */
public final class LoadContext {
    private final KilnArchive archive;
    private final String source;
    private final LoadOptions options;
    private final List<String> notes = new ArrayList<>();
    private Map<String, Tensor> parameters;

    LoadContext(KilnArchive archive, String source, LoadOptions options) {
        this.archive = archive;
        this.source = source;
        this.options = options;
    }

    public KilnArchive archive() { return archive; }

    /** The archive's path (or another name for it), for messages. */
    public String source() { return source; }

    public LoadOptions options() { return options; }

    /**
     * The archive's parameters as eager tensors by state-dict key, converted once on first call
     * ({@code RawTensor.toArray()}, the one copy) and shared by every call of the model; never modify them.
     */
    public Map<String, Tensor> parameters() {
        if (parameters == null) {
            Map<String, Tensor> p = new LinkedHashMap<>();
            for (Map.Entry<String, RawTensor> e : archive.parameters().entrySet()) {
                p.put(e.getKey(), TensorConversion.toTensor(e.getValue()));
            }
            parameters = Collections.unmodifiableMap(p);
        }
        return parameters;
    }

    /** Records a line about the code the backend runs (shown by the CLI on stderr and by inspect). */
    public void note(String line) { notes.add(line); }

    List<String> notes() { return List.copyOf(notes); }
}
