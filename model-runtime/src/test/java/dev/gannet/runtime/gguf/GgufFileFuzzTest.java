package dev.gannet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gannet.runtime.FuzzChecks;
import dev.gannet.runtime.FuzzSeeds;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the GGUF reader: any bytes either open as a GGUF file whose tensors lie inside it, or fail
 * with a {@link GgufException} naming the file ({@link FuzzChecks}). Seeds: headers of the shared
 * real files, and the inputs under {@code src/test/resources/dev/gannet/runtime/gguf/GgufFileFuzzTestInputs/open},
 * which regression mode (every {@code mvn verify}) replays.
 */
class GgufFileFuzzTest {
    private static final Path FILE = FuzzChecks.scratch("gguf").resolve("input.gguf");

    @MethodSource("realFiles")
    @FuzzTest
    void open(byte[] bytes) {
        Path f = FuzzChecks.write(FILE, bytes);
        FuzzChecks.check(f, bytes.length, () -> {
            try (GgufFile g = GgufFile.open(f)) {
                for (GgufTensorInfo t : g.tensors().values()) {
                    assertEquals(t.type().bytesFor(t.elementCount()), t.data().byteSize(), t.name());
                }
                for (String key : g.metadata().keySet()) readEveryWay(g, key);
            }
        });
    }

    /** The typed getters on every key: each answers or says the key has another type. */
    private static void readEveryWay(GgufFile g, String key) {
        for (Getter get : new Getter[] {g::getString, g::getLong, g::getInt, g::getFloat, g::getStringArray, g::getFloatArray,
                g::getIntArray, k -> g.getBoolean(k, false)}) {
            try {
                get.read(key);
            } catch (GgufException expected) {
                // the key holds another type
            }
        }
    }

    @FunctionalInterface
    private interface Getter {
        Object read(String key) throws GgufException;
    }

    static Stream<byte[]> realFiles() {
        return Stream.of(FuzzChecks.sharedPrefix("stories260K.gguf", 16 << 10), FuzzSeeds.vocabOnly("stories260K.gguf", 512),
                FuzzSeeds.vocabOnly("tokenizer/ggml-vocab-gpt-2.gguf", 400));
    }
}
