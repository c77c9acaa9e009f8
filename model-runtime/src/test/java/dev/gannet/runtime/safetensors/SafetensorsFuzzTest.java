package dev.gannet.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gannet.runtime.FuzzChecks;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the safetensors reader: any bytes open as a file whose tensors lie inside it, each exactly
 * its shape's size, or fail with a {@link SafetensorsException} naming the file. Seeds: the headers of
 * the shared real checkpoints and the files under
 * {@code src/test/resources/dev/gannet/runtime/safetensors/SafetensorsFuzzTestInputs/open}.
 */
class SafetensorsFuzzTest {
    private static final Path FILE = FuzzChecks.scratch("safetensors").resolve("model.safetensors");

    @MethodSource("realHeaders")
    @FuzzTest
    void open(byte[] bytes) {
        Path f = FuzzChecks.write(FILE, bytes);
        FuzzChecks.check(f, bytes.length, () -> {
            try (SafetensorsFile s = SafetensorsFile.open(f)) {
                for (SafetensorsTensor t : s.tensors().values()) {
                    assertEquals(t.elementCount() * t.dtype().bytes(), t.data().byteSize(), t.name());
                }
            }
        });
    }

    static Stream<byte[]> realHeaders() {
        return Stream.of(FuzzChecks.sharedPrefix("tiny-qwen2-hf-bf16/model.safetensors", 8 << 10),
                FuzzChecks.sharedPrefix("tiny-llama-hf/model.safetensors", 8 << 10));
    }
}
