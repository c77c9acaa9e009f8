package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 18, fault 3: a prompt is tokenized only as far as the context allows. */
class TokenLimitTest {

    @ParameterizedTest
    @ValueSource(strings = {"tokenizer/ggml-vocab-llama-spm.gguf", "tokenizer/ggml-vocab-gpt-2.gguf", "stories260K.gguf"})
    void aLimitGivesTheSameIdsOrStopsEarly(String file) throws Exception {
        Tokenizer t = Tokenizers.load(TestModels.path(file));
        String text = "Once upon a time, <s> there was a little fox. ".repeat(20);
        int[] all = t.encode(text, true, true);
        assertArrayEquals(all, t.encode(text, true, true, all.length), "exactly at the limit");
        TokenLimitException e = assertThrows(TokenLimitException.class, () -> t.encode(text, true, true, all.length - 1));
        assertEquals(all.length - 1, e.limit());
    }

    /** Before: a 3.9 MB prompt cost seconds of tokenization before its 400. Now the character count settles it. */
    @ParameterizedTest
    @ValueSource(strings = {"tokenizer/ggml-vocab-llama-spm.gguf", "tokenizer/ggml-vocab-gpt-2.gguf"})
    void aHugeTextIsRefusedWithoutTokenizingIt(String file) throws Exception {
        Tokenizer t = Tokenizers.load(TestModels.path(file));
        String huge = "lorem ipsum dolor sit amet ".repeat(150_000); // 4 MB
        TokenLimitException e = assertThrows(TokenLimitException.class, () -> t.encode(huge, true, true, 4096));
        assertTrue(e.getMessage().contains("characters"), "refused from its length alone, not by tokenizing 4 MB: " + e.getMessage());
    }
}
