package dev.gannet.runtime.synth;

import dev.gannet.runtime.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The built-in demo model {@code gannet-demo}: the tiny Llama shape with deterministic random
 * weights and the built-in byte vocabulary, so the server runs with no model download. Its text is
 * gibberish; it exists to exercise the whole serving path.
 */
public final class DemoModel {
    /** The name the server lists it under. */
    public static final String NAME = "gannet-demo";
    /** Fixed so that every machine generates the same bytes. */
    public static final long SEED = 20241129L;

    /** Bumped whenever the generator would write different bytes, so stale caches are not reused. */
    public static final int VERSION = 1;

    private DemoModel() {}

    /** A cache file name that changes with {@link #VERSION} and the dtype, e.g. {@code gannet-demo-v1-q8_0.gguf}. */
    public static String fileName(GgmlType dtype) {
        return NAME + "-v" + VERSION + "-" + dtype.name().toLowerCase(java.util.Locale.ROOT) + ".gguf";
    }

    /**
     * Returns {@code path}, first writing the demo model there if no file exists (atomically: a
     * concurrent reader sees either nothing or the whole file). Takes well under a second.
     *
     * @param dtype F32 or Q8_0
     */
    public static Path ensure(Path path, GgmlType dtype) throws IOException {
        if (dtype != GgmlType.F32 && dtype != GgmlType.Q8_0) throw new IllegalArgumentException("demo model dtype must be F32 or Q8_0, got " + dtype);
        if (Files.isRegularFile(path)) return path;
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        SyntheticModel.write(new SyntheticModel.Spec(LlamaShape.TINY, dtype, SEED, null, 1), path);
        return path;
    }
}
