package dev.gannet.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gannet.runtime.FuzzChecks;
import dev.gannet.runtime.FuzzSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes a sharded checkpoint's {@code model.safetensors.index.json} ({@link SafetensorsCheckpoint#open}) beside two
 * valid shards: any index opens as a checkpoint whose tensors come from shards inside the folder, or fails with a
 * SafetensorsException naming the index (a shard name that leaves the folder included).
 */
class SafetensorsIndexFuzzTest {
    private static final Path DIR = FuzzChecks.scratch("safetensors-index");

    static {
        FuzzChecks.write(DIR.resolve("model-00001-of-00002.safetensors"),
                FuzzSeeds.safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        FuzzChecks.write(DIR.resolve("model-00002-of-00002.safetensors"),
                FuzzSeeds.safetensors("{\"b\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[0,4]}}", new byte[4]));
    }

    @MethodSource("validIndex")
    @FuzzTest
    void open(byte[] bytes) {
        Path index = FuzzChecks.write(DIR.resolve(SafetensorsCheckpoint.INDEX), bytes);
        FuzzChecks.check(DIR, bytes.length, () -> {
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(DIR)) {
                for (SafetensorsTensor t : c.tensors().values()) assertEquals(DIR, t.file().getParent(), t.name());
            }
        });
        assertEquals(DIR, index.getParent());
    }

    static Stream<byte[]> validIndex() {
        return Stream.of(("{\"metadata\":{\"total_size\":8},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\"}}").getBytes(StandardCharsets.UTF_8));
    }
}
