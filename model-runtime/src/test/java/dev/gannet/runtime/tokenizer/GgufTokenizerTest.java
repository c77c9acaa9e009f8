package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.gguf.GgufFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GgufTokenizerTest {
    static final String FOX = "The quick brown fox jumps over the lazy dog.";
    static final int[] FOX_IDS = {464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13};

    @Test
    void stories260kPromptMatchesLlamaCpp() throws IOException {
        Tokenizer tok;
        try (GgufFile gguf = GgufFile.open(TestModels.path("stories260K.gguf"))) {
            tok = Tokenizers.fromGguf(gguf);
        }
        // the tokenizer copies what it needs: still usable after the file is closed
        assertEquals(Tokenizer.Kind.SENTENCEPIECE, tok.kind());
        assertEquals(512, tok.vocabSize());
        assertTrue(tok.addBosByDefault());
        assertEquals(1, tok.bosId());
        assertEquals(2, tok.eosId());
        assertEquals(0, tok.unknownId());
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, tok.encode("Once upon a time", true));
        assertArrayEquals(new int[] {403, 407, 261, 378}, tok.encode("Once upon a time", false));
        assertEquals("Once upon a time", tok.decode(new int[] {1, 403, 407, 261, 378}));
        assertEquals(" upon a time", tok.decode(new int[] {407, 261, 378}, false, false), "continuation keeps its space");
        assertEquals("<s> Once", tok.decode(new int[] {1, 403}, true, true), "special rendering shows BOS");
    }

    @Test
    void stories260kVocabularyFacts() throws IOException {
        Tokenizer tok = Tokenizers.load(TestModels.path("stories260K.gguf"));
        assertEquals(TokenType.CONTROL, tok.tokenType(1));
        assertEquals(TokenType.UNKNOWN, tok.tokenType(0));
        assertEquals(TokenType.BYTE, tok.tokenType(13));
        assertEquals(TokenType.NORMAL, tok.tokenType(403));
        assertEquals("▁Once", tok.tokenText(403));
        assertArrayEquals(" Once".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(403));
        assertArrayEquals(new byte[] {'\n'}, tok.tokenBytes(13));
        assertArrayEquals("<s>".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(1));
        assertEquals(403, tok.tokenId("▁Once"));
        assertTrue(tok.isEndOfGeneration(2));
        assertFalse(tok.isEndOfGeneration(1));
        assertArrayEquals(new int[] {2}, tok.endOfGenerationIds());
    }

    @Test
    void sentencePieceParsesControlTokensOnlyWhenAsked() throws IOException {
        Tokenizer tok = Tokenizers.load(TestModels.path("stories260K.gguf"));
        int[] parsed = tok.encode("<s>Once upon a time", false, true);
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, parsed, "text after a special token gets the space prefix");
        int[] literal = tok.encode("<s>Once", false, false);
        assertFalse(contains(literal, 1), "without parseSpecial <s> is plain text");
        assertEquals("<s>Once", tok.decode(literal));
    }

    @Test
    void qwen2GgufEncodesTheReferencePrompt() throws IOException {
        Tokenizer tok = Tokenizers.load(TestModels.path("tiny-qwen2-f32.gguf"));
        assertEquals(Tokenizer.Kind.BPE_BYTE_LEVEL, tok.kind());
        assertFalse(tok.addBosByDefault());
        assertArrayEquals(FOX_IDS, tok.encode(FOX, true), "gpt2 vocabularies add no BOS");
        assertEquals(FOX, tok.decode(FOX_IDS));
        int eot = tok.tokenId("<|endoftext|>");
        assertEquals(50256, eot);
        assertTrue(tok.isEndOfGeneration(eot));
        assertEquals(TokenType.CONTROL, tok.tokenType(eot), "end-of-text is raised to control, as llama.cpp does");
        assertArrayEquals(new int[] {15496, 50256}, tok.encode("Hello<|endoftext|>", false, true));
        int[] literal = tok.encode("Hello<|endoftext|>", false, false);
        assertFalse(contains(literal, 50256));
        assertEquals("Hello<|endoftext|>", tok.decode(literal));
        assertEquals("Hello", tok.decode(new int[] {15496, 50256}), "control tokens render as nothing");
    }

    static boolean contains(int[] ids, int id) {
        for (int i : ids) if (i == id) return true;
        return false;
    }
}
