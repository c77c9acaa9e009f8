package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gannet.runtime.FuzzChecks;
import dev.gannet.runtime.FuzzSeeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes loading a model from a GGUF file ({@link ModelLoader}, {@link GgufTensorSource}, the GGUF
 * half of {@link ConfigParser}, packing): any bytes load as a model or fail with an IOException naming
 * the file ({@link FuzzChecks}). Seeds: the shared stories260K, and tiny complete models under
 * {@code src/test/resources/dev/gannet/runtime/model/GgufModelFuzzTestInputs/load} (see {@link FuzzSeeds}).
 */
class GgufModelFuzzTest {
    private static final Path FILE = FuzzChecks.scratch("gguf-model").resolve("model.gguf");

    @MethodSource("realFiles")
    @FuzzTest
    void load(byte[] bytes) {
        Path f = FuzzChecks.write(FILE, bytes);
        FuzzChecks.check(f, bytes.length, () -> {
            try (Model m = ModelLoader.load(f)) {
                assertEquals(m.config().numLayers(), layers(m));
            }
        });
    }

    private static int layers(Model m) {
        int n = 0;
        for (int l = 0; l < m.config().numLayers(); l++) n += m.layer(l) != null ? 1 : 0;
        return n;
    }

    static Stream<byte[]> realFiles() {
        return FuzzChecks.sharedFiles("stories260K.gguf");
    }

    @Test
    void committedSeedsAreModelsThatLoad() throws IOException {
        for (boolean qwen2 : new boolean[] {false, true}) {
            Path f = Files.write(FILE, FuzzSeeds.tinyModel(qwen2));
            try (Model m = ModelLoader.load(f)) {
                assertEquals(32, m.config().dim());
                assertEquals(qwen2, m.config().tiedEmbeddings());
                assertEquals(qwen2, m.layer(0).bq() != null);
            }
        }
    }
}
