package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {
    @Test
    void qwen2TokenizerJsonEncodesTheReferencePrompt() throws IOException {
        Tokenizer tok = Tokenizers.load(TestModels.path("tiny-qwen2-hf-bf16"));
        assertEquals(Tokenizer.Kind.BPE_BYTE_LEVEL, tok.kind());
        assertFalse(tok.addBosByDefault());
        assertArrayEquals(GgufTokenizerTest.FOX_IDS, tok.encode(GgufTokenizerTest.FOX, true));
        assertEquals(50256, tok.eosId());
    }

    @Test
    void qwen2JsonAndGgufAgree() throws IOException {
        Tokenizer json = Tokenizers.load(TestModels.path("tiny-qwen2-hf-bf16/tokenizer.json"));
        Tokenizer gguf = Tokenizers.load(TestModels.path("tiny-qwen2-f32.gguf"));
        for (String s : List.of("Hello, y'all! How are you 😁 ?我想在apple工作1314151天～", "  two  spaces\n\n\ttab",
                "3333333 digits", "I'VE been 'told he's there")) {
            assertArrayEquals(gguf.encode(s, false), json.encode(s, false), s);
        }
    }

    @Test
    void llamaTokenizerJsonMatchesTheStoriesGgufVocabulary() throws IOException {
        Tokenizer json = Tokenizers.load(TestModels.path("tiny-llama-hf"));
        Tokenizer gguf = Tokenizers.load(TestModels.path("stories260K.gguf"));
        assertEquals(Tokenizer.Kind.BPE_BYTE_FALLBACK, json.kind());
        assertTrue(json.addBosByDefault());
        assertEquals(1, json.bosId());
        assertEquals(2, json.eosId());
        for (String s : List.of("Once upon a time", "Hello world", "  leading spaces and émoji 😀 x",
                "Lily's mom said\n\"no\"", "", " ", "日本語", "tab\tnewline\n\nend ")) {
            int[] ids = gguf.encode(s, true);
            assertArrayEquals(ids, json.encode(s, true), s);
            assertEquals(s, json.decode(ids), "round trip through the json tokenizer: " + s);
        }
    }

    @Test
    void metaspacePreTokenizerEncodesLikeTheLegacyNormalizer(@TempDir Path dir) throws IOException {
        Tokenizer gguf = Tokenizers.load(TestModels.path("stories260K.gguf"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(TestModels.path("tiny-llama-hf/tokenizer.json").toFile());
        root.putNull("normalizer");
        ObjectNode meta = root.putObject("pre_tokenizer");
        meta.put("type", "Metaspace");
        meta.put("replacement", "\u2581");
        meta.put("prepend_scheme", "first");
        meta.put("split", true);
        Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(root));
        Tokenizer metaspace = Tokenizers.load(dir);
        for (String s : List.of("Once upon a time", "Lily's mom said\n\"no\"", "日本語 ok")) {
            assertArrayEquals(gguf.encode(s, false), metaspace.encode(s, false), s);
            assertEquals(s, metaspace.decode(metaspace.encode(s, false)));
        }
        // a leading space: the prepended mark and the text's own mark end up as separate pieces
        assertArrayEquals(new int[] {metaspace.tokenId("\u2581"), metaspace.tokenId("\u2581a")}, metaspace.encode(" a", false));
    }

    @Test
    void chatMarkersAreParsedAsSpecialTokensOnlyWhenAsked(@TempDir Path dir) throws IOException {
        Tokenizer tok = Tokenizers.load(ChatMlFixture.write(dir));
        int start = tok.tokenId("<|im_start|>"), end = tok.tokenId("<|im_end|>");
        assertEquals(TokenType.CONTROL, tok.tokenType(start));
        int[] ids = tok.encode("<|im_start|>user\nhello<|im_end|>", false, true);
        int[] expected = concat(new int[] {start}, tok.encode("user\nhello", false, false), new int[] {end});
        assertArrayEquals(expected, ids);
        assertEquals(tok.tokenId("hello"), ids[ids.length - 2], "merges apply between the markers");
        assertEquals("user\nhello", tok.decode(ids));
        assertEquals("<|im_start|>user\nhello<|im_end|>", tok.decode(ids, true, true));

        int[] literal = tok.encode("<|im_start|>", false, false);
        assertEquals(12, literal.length, "unparsed, the marker is 12 byte-level characters");
        assertTrue(tok.isEndOfGeneration(end));
        assertEquals(end, tok.eotId());
        assertEquals(end, tok.eosId());
    }

    @Test
    void userDefinedTokensMatchWithoutParseSpecialAndHonourRstrip(@TempDir Path dir) throws IOException {
        Tokenizer tok = Tokenizers.load(ChatMlFixture.write(dir));
        int tool = tok.tokenId("<tool>");
        assertEquals(TokenType.USER_DEFINED, tok.tokenType(tool));
        int[] ids = tok.encode("hello<tool>   hello", false, false);
        int hello = tok.tokenId("hello");
        assertArrayEquals(new int[] {hello, tool, hello}, ids, "rstrip swallows the spaces after <tool>");
        assertEquals("hello<tool>hello", tok.decode(ids), "user-defined tokens render as their text");
    }

    @Test
    void unsupportedModelTypeIsNamed(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        IOException e = assertThrows(IOException.class, () -> Tokenizers.load(json));
        assertTrue(e.getMessage().contains("model.type Unigram"), e.getMessage());
        assertTrue(e.getMessage().contains(json.toString()), e.getMessage());
    }

    private static int[] concat(int[]... parts) {
        IntList l = new IntList(16);
        for (int[] p : parts) for (int v : p) l.add(v);
        return l.toArray();
    }
}
