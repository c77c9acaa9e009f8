package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenizerEdgeCasesTest {
    private static Tokenizer spm;
    private static Tokenizer bpe;

    @BeforeAll
    static void load() throws IOException {
        spm = Tokenizers.load(TestModels.path("stories260K.gguf"));
        bpe = Tokenizers.load(TestModels.path("tiny-qwen2-f32.gguf"));
    }

    @Test
    void emptyStringGivesOnlyWhatTheModelAdds() {
        assertArrayEquals(new int[0], spm.encode("", false));
        assertArrayEquals(new int[] {1}, spm.encode("", true));
        assertArrayEquals(new int[0], bpe.encode("", true));
        assertEquals("", spm.decode(new int[0]));
    }

    @Test
    void onlySpacesRoundTrip() {
        for (Tokenizer t : List.of(spm, bpe)) {
            for (String s : List.of(" ", "   ", " \n ", "\t\t")) {
                int[] ids = t.encode(s, true);
                assertEquals(s, t.decode(ids), t.kind() + " '" + s + "'");
            }
        }
    }

    @Test
    void loneSurrogatesAreTokenizedAsReplacementCharacters() {
        for (Tokenizer t : List.of(spm, bpe)) {
            assertArrayEquals(t.encode("a\uFFFDb\uFFFD", false), t.encode("a\uD800b\uDC00", false));
            assertArrayEquals(t.encode("😀", false), t.encode("\uD83D\uDE00", false), "a valid pair is kept");
        }
    }

    @Test
    void malformedUtf8InputIsReplacedNotFatal() {
        byte[] bad = {'o', 'k', (byte) 0xC3, ' ', (byte) 0xFF};
        for (Tokenizer t : List.of(spm, bpe)) {
            int[] ids = t.encodeUtf8(bad, false, false);
            assertEquals("ok\uFFFD \uFFFD", t.decode(ids));
        }
    }

    @Test
    void idsOutsideTheVocabularyAreRejectedWithTheirValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spm.decode(new int[] {1, 512}));
        assertTrue(e.getMessage().contains("512") && e.getMessage().contains("stories260K"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bpe.tokenBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> spm.streamingDecoder(true).accept(600));
    }

    @Test
    void tokenBytesIsACopy() {
        byte[] b = spm.tokenBytes(403);
        b[0] = 'X';
        assertEquals(' ', spm.tokenBytes(403)[0]);
    }

    @Test
    void longInputTokenizesConsistently() {
        String para = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ";
        String text = para.repeat(100);
        int[] ids = spm.encode(text, false);
        assertEquals(text, spm.decode(ids));
        int[] one = spm.encode(para, false);
        assertTrue(ids.length <= one.length * 100 + 100, "merging is not lost on long input");
        assertEquals(text, bpe.decode(bpe.encode(text, false)));
    }
}
