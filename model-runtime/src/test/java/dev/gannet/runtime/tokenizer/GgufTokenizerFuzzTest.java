package dev.gannet.runtime.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gannet.runtime.FuzzChecks;
import dev.gannet.runtime.FuzzSeeds;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes tokenizer loading from GGUF metadata ({@link Tokenizers#load} on a {@code .gguf}): any bytes
 * give a tokenizer that encodes and decodes a short text, or an IOException naming the file. Seeds:
 * the shared vocabularies (cut to a few hundred tokens) and a tiny Qwen2 model.
 */
class GgufTokenizerFuzzTest {
    private static final Path FILE = FuzzChecks.scratch("gguf-tokenizer").resolve("vocab.gguf");

    @MethodSource("realVocabularies")
    @FuzzTest
    void load(byte[] bytes) {
        Path f = FuzzChecks.write(FILE, bytes);
        FuzzChecks.check(f, bytes.length, () -> use(Tokenizers.load(f), f));
    }

    /**
     * A loaded tokenizer must work: a short text with a special token in it, encoded and decoded. A
     * vocabulary with neither byte tokens nor an unknown token cannot encode every character, and says
     * so with an IllegalArgumentException naming the file (SymbolMerger), which is clean too.
     */
    static void use(Tokenizer t, Path file) {
        int[] ids;
        try {
            ids = t.encode("Hi w\u00f6rld 12 <s><|im_end|>\n", true, true);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().contains(file.toString())) throw e;
            return;
        }
        t.decode(ids);
        StreamingDecoder d = new StreamingDecoder(t, false, false);
        for (int id : ids) d.accept(id);
        d.flush();
    }

    static Stream<byte[]> realVocabularies() {
        return Stream.of(FuzzSeeds.vocabOnly("stories260K.gguf", 512), FuzzSeeds.vocabOnly("tokenizer/ggml-vocab-llama-spm.gguf", 600),
                FuzzSeeds.vocabOnly("tokenizer/ggml-vocab-gpt-2.gguf", 600));
    }
}
