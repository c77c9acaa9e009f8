package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gannet.runtime.FuzzChecks;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@code config.json} parsing ({@link ConfigParser#readJson}, {@link ConfigParser#fromHuggingFace}):
 * any bytes give a consistent {@link ModelConfig} or an IOException naming the file. Seeds: the shared
 * real configs and the hand-written ones under
 * {@code src/test/resources/dev/gannet/runtime/model/ConfigJsonFuzzTestInputs/parse}.
 */
class ConfigJsonFuzzTest {
    private static final Path FILE = FuzzChecks.scratch("config").resolve("config.json");

    @MethodSource("realConfigs")
    @FuzzTest
    void parse(byte[] bytes) {
        Path f = FuzzChecks.write(FILE, bytes);
        FuzzChecks.check(f, bytes.length, () -> {
            ModelConfig c = ConfigParser.fromHuggingFace(f, ConfigParser.readJson(f), false);
            assertTrue(c.qDim() > 0 && c.kvDim() > 0 && c.rotaryDim() <= c.headDim(), c.toString());
        });
    }

    static Stream<byte[]> realConfigs() {
        return FuzzChecks.sharedFiles("tiny-llama-hf/config.json", "tiny-qwen2-hf-bf16/config.json");
    }
}
