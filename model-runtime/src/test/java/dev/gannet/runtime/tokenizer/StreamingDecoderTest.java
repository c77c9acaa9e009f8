package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {
    private static Tokenizer stories;
    private static Tokenizer qwen;

    @BeforeAll
    static void load() throws IOException {
        stories = Tokenizers.load(TestModels.path("stories260K.gguf"));
        qwen = Tokenizers.load(TestModels.path("tiny-qwen2-f32.gguf"));
    }

    private static List<String> feed(StreamingDecoder d, int[] ids) {
        List<String> parts = new ArrayList<>();
        for (int id : ids) parts.add(d.accept(id));
        parts.add(d.flush());
        return parts;
    }

    @Test
    void emojiSplitOverByteTokensAppearsWhenComplete() {
        int[] ids = stories.encode("a😀b", true);
        // BOS, ▁a, the four bytes F0 9F 98 80 as <0xXX> tokens (id = byte + 3), b
        assertArrayEquals(new int[] {1, 261, 243, 162, 155, 131, stories.tokenId("b")}, ids);
        assertEquals(TokenType.BYTE, stories.tokenType(243));
        List<String> parts = feed(stories.streamingDecoder(true), ids);
        assertEquals(List.of("", "a", "", "", "", "😀", "b", ""), parts);
    }

    @Test
    void byteLevelPiecesOfAnEmojiStreamCorrectly() {
        int[] ids = qwen.encode("hi 😀🎉!", false);
        StreamingDecoder d = qwen.streamingDecoder(true);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String s = d.accept(id);
            assertFalse(!s.isEmpty() && Character.isHighSurrogate(s.charAt(s.length() - 1)), "never half a character");
            assertFalse(s.contains("\uFFFD"), "no replacement for valid text");
            sb.append(s);
        }
        sb.append(d.flush());
        assertEquals("hi 😀🎉!", sb.toString());
        assertTrue(ids.length > 4, "emoji take several byte-level tokens");
    }

    @Test
    void appendingVariantGivesTheSameText() {
        int[] ids = qwen.encode("naïve 😀 text", false);
        StreamingDecoder d = qwen.streamingDecoder(true);
        StringBuilder sb = new StringBuilder();
        int total = 0;
        for (int id : ids) total += d.accept(id, sb);
        assertEquals(sb.length(), total);
        sb.append(d.flush());
        assertEquals("naïve 😀 text", sb.toString());
    }

    @Test
    void firstTokenSpaceIsDroppedOnlyAtSequenceStart() {
        int[] ids = {1, 403, 407};
        assertEquals("Once upon", String.join("", feed(stories.streamingDecoder(true), ids)));
        assertEquals(" Once upon", String.join("", feed(stories.streamingDecoder(false), new int[] {403, 407})));
        assertEquals("<s> Once upon", String.join("", feed(stories.streamingDecoder(true, true), ids)));
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() {
        int ff = stories.tokenId("<0xFF>"), f0 = stories.tokenId("<0xF0>"), x = stories.tokenId("x");
        StreamingDecoder d = stories.streamingDecoder(false);
        assertEquals("\uFFFD", d.accept(ff), "0xFF can never start a character: replaced at once");
        assertEquals("", d.accept(f0), "0xF0 may start one: held back");
        assertTrue(d.hasPending());
        assertEquals("\uFFFDx", d.accept(x), "broken by an ASCII byte");
        assertEquals("", d.accept(f0));
        assertEquals("\uFFFD", d.flush(), "incomplete at the end");
        assertFalse(d.hasPending());
        int[] ids = {ff, f0, x, f0};
        assertEquals(stories.decode(ids, false, false), String.join("", feed(stories.streamingDecoder(false), ids)));
    }

    @Test
    void controlTokensRenderAsNothingAndResetStartsOver() {
        StreamingDecoder d = qwen.streamingDecoder(false);
        assertEquals("", d.accept(50256));
        assertEquals("Hello", d.accept(15496));
        d.reset(true);
        assertEquals(" ", d.accept(qwen.tokenId("\u0120")), "a byte-level space is kept: BPE adds no prefix");
    }
}
