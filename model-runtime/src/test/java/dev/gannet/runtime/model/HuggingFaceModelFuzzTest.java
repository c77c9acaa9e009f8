package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gannet.runtime.FuzzChecks;
import dev.gannet.runtime.FuzzSeeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes loading a Hugging Face folder ({@link ModelLoader}, {@link SafetensorsTensorSource}, the
 * config.json half of {@link ConfigParser}): one input is a folder packed by {@link FuzzSeeds#packFolder}
 * (config.json, then model.safetensors), and it loads or fails with an IOException naming the folder.
 */
class HuggingFaceModelFuzzTest {
    private static final Path DIR = FuzzChecks.scratch("hf-model");

    @MethodSource("realConfigs")
    @FuzzTest
    void load(byte[] bytes) {
        int len = bytes.length < 2 ? 0 : Math.min((bytes[0] & 0xff) | (bytes[1] & 0xff) << 8, bytes.length - 2);
        int from = Math.min(2, bytes.length);
        FuzzChecks.write(DIR.resolve("config.json"), Arrays.copyOfRange(bytes, from, from + len));
        FuzzChecks.write(DIR.resolve("model.safetensors"), Arrays.copyOfRange(bytes, from + len, bytes.length));
        FuzzChecks.check(DIR, bytes.length, () -> {
            try (Model m = ModelLoader.load(DIR)) {
                assertEquals(m.config().numLayers(), m.config().numLayers());
            }
        });
    }

    /** The shared real config.json files with the tiny checkpoint's weights: shapes that disagree. */
    static Stream<byte[]> realConfigs() {
        byte[] weights = FuzzSeeds.tinyHuggingFace().get("model.safetensors");
        return FuzzChecks.sharedFiles("tiny-llama-hf/config.json", "tiny-qwen2-hf-bf16/config.json").map(c -> FuzzSeeds.packFolder(c, weights));
    }

    @Test
    void committedSeedIsAFolderThatLoads() throws IOException {
        Map<String, byte[]> files = FuzzSeeds.tinyHuggingFace();
        Files.write(DIR.resolve("config.json"), files.get("config.json"));
        Files.write(DIR.resolve("model.safetensors"), files.get("model.safetensors"));
        try (Model m = ModelLoader.load(DIR)) {
            assertEquals(RopeScaling.Kind.LLAMA3, m.config().ropeScaling().kind());
            assertEquals(8, m.config().vocabSize());
        }
    }
}
