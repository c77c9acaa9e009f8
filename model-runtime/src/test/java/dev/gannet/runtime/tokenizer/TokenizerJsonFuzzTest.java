package dev.gannet.runtime.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gannet.runtime.FuzzChecks;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes Hugging Face {@code tokenizer.json} loading ({@link Tokenizers#load}, {@link HfTokenizerLoader}):
 * any bytes give a tokenizer that encodes and decodes a short text, or an IOException naming the file.
 * Seeds: the shared tiny-llama-hf tokenizer and the hand-written ones under
 * {@code src/test/resources/dev/gannet/runtime/tokenizer/TokenizerJsonFuzzTestInputs/load}.
 */
class TokenizerJsonFuzzTest {
    private static final Path FILE = FuzzChecks.scratch("tokenizer-json").resolve("tokenizer.json");

    @MethodSource("realFiles")
    @FuzzTest
    void load(byte[] bytes) {
        Path f = FuzzChecks.write(FILE, bytes);
        FuzzChecks.check(f, bytes.length, () -> GgufTokenizerFuzzTest.use(Tokenizers.load(f), f));
    }

    static Stream<byte[]> realFiles() {
        return FuzzChecks.sharedFiles("tiny-llama-hf/tokenizer.json");
    }
}
