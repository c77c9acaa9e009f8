package dev.gannet.runtime.constraint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Masks on the real vocabularies (32k SentencePiece Llama, 50k byte-level GPT-2): random walks through the
 * allowed tokens always end in valid output, and masks equal the brute-force mask (every token tried on a
 * copy of the matcher) at random states along the walks.
 */
class ConstraintVocabularyTest {
    static final String LLAMA = "ggml-vocab-llama-spm.gguf";
    static final String GPT2 = "ggml-vocab-gpt-2.gguf";

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String vocab : List.of(LLAMA, GPT2)) {
            for (Map.Entry<String, ConstraintSpec> e : ConstraintTests.all()) out.add(Arguments.of(vocab, e.getKey()));
        }
        return out.stream();
    }

    private static ConstraintSpec spec(String name) {
        return ConstraintTests.all().stream().filter(e -> e.getKey().equals(name)).findFirst().orElseThrow().getValue();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void randomWalksEndInValidOutputAndMasksMatchBruteForce(String vocab, String name) {
        ConstraintSpec spec = spec(name);
        Constraint c = ConstraintCompiler.compile(spec, ConstraintTests.vocabulary(vocab));
        Random rng = new Random((vocab + name).hashCode());
        int compared = 0;
        for (int i = 0; i < 8; i++) {
            int compareAt = i == 0 ? 0 : i == 1 ? rng.nextInt(8) : i == 2 ? rng.nextInt(40) : -1;
            Walked w = walk(c, rng, 4_000, compareAt);
            compared += w.compared;
            assertTrue(w.walk.ended(), name + " did not end in " + w.walk.tokens() + " tokens: " + w.walk.text());
            assertValid(spec, name, w.walk.text());
        }
        assertTrue(compared > 0, "no state compared with brute force");
    }

    private record Walked(ConstraintTests.Walk walk, int compared) {}

    /** A random walk that also checks the mask against brute force at step {@code compareAt}. */
    private static Walked walk(Constraint c, Random rng, int cap, int compareAt) {
        TokenVocabulary v = c.vocabulary();
        ConstraintMatcher m = c.newState();
        long[] mask = new long[v.maskWords()];
        int[] allowed = new int[v.size()];
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int compared = 0;
        for (int step = 0; step < cap; step++) {
            m.fillMask(mask);
            if (step == compareAt) {
                long[] brute = ConstraintTests.bruteForceMask(m);
                assertArrayEquals(brute, mask, () -> "after '" + out.toString(StandardCharsets.UTF_8) + "': "
                        + ConstraintTests.describeDifference(brute, mask, v));
                compared++;
            }
            int n = 0;
            for (int id = 0; id < v.size(); id++) if ((mask[id >>> 6] & (1L << id)) != 0) allowed[n++] = id;
            assertTrue(n > 0, "nothing allowed after " + out.toString(StandardCharsets.UTF_8));
            int t = allowed[rng.nextInt(n)];
            assertTrue(m.accept(t));
            if (v.isEndOfGeneration(t)) return new Walked(new ConstraintTests.Walk(out.toString(StandardCharsets.UTF_8), true, step + 1), compared);
            if (m.isComplete()) {
                // only end-of-generation is left: the engine would stop here
                byte[] b = v.tokenBytes(t);
                out.write(b, 0, b.length);
                return new Walked(new ConstraintTests.Walk(out.toString(StandardCharsets.UTF_8), true, step + 1), compared);
            }
            byte[] b = v.tokenBytes(t);
            out.write(b, 0, b.length);
        }
        return new Walked(new ConstraintTests.Walk(out.toString(StandardCharsets.UTF_8), false, cap), compared);
    }

    static void assertValid(ConstraintSpec spec, String name, String text) {
        switch (spec.kind()) {
            case JSON_SCHEMA -> JsonValidation.assertValid(JsonValidation.schema(spec.text()), text);
            case REGEX -> assertTrue(Pattern.compile(spec.text()).matcher(text).matches(), name + ": " + text);
            case GRAMMAR -> assertTrue(GrammarOracles.valid(name.substring("grammar ".length()), text), name + ": " + text);
            default -> throw new IllegalArgumentException(name);
        }
    }

    /** States that stress the stack: inside strings and escapes of a recursive grammar, mid-character. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": [1, {\"b\": \"x", "{\"a\": \"\\", "{\"k\": [[", "{\"a\": 12", "{\"a\": \"é"})
    void jsonObjectMasksMatchBruteForce(String prefix) {
        Constraint c = ConstraintCompiler.compile(ConstraintSpec.jsonObject(), ConstraintTests.vocabulary(LLAMA));
        ConstraintMatcher m = c.newState();
        Tokenizer tok = tokenizer(LLAMA);
        for (byte b : prefix.getBytes(StandardCharsets.UTF_8)) { // as byte tokens: no SentencePiece leading space
            assertTrue(m.accept(tok.tokenId(String.format("<0x%02X>", b & 0xFF))), prefix);
        }
        long[] mask = new long[c.vocabulary().maskWords()];
        m.fillMask(mask);
        long[] brute = ConstraintTests.bruteForceMask(m);
        assertArrayEquals(brute, mask, ConstraintTests.describeDifference(brute, mask, c.vocabulary()));
    }

    @Test
    void vocabularyBytesAreWhatTheDetokenizerEmits() {
        Tokenizer llama = tokenizer(LLAMA);
        TokenVocabulary v = ConstraintTests.vocabulary(LLAMA);
        assertArrayEquals(new byte[] {0x0A}, v.tokenBytes(llama.tokenId("<0x0A>")));
        assertArrayEquals(" the".getBytes(StandardCharsets.UTF_8), v.tokenBytes(llama.tokenId("▁the")));
        assertNull(v.tokenBytes(llama.bosId()), "<s> renders as nothing");
        assertTrue(v.isEndOfGeneration(llama.eosId()));
        assertNull(v.tokenBytes(llama.unknownId()));
        int[] ids = llama.encode("{\"name\": \"Ann\"}\n", false);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(v.tokenBytes(id));
        assertEquals(" {\"name\": \"Ann\"}\n", out.toString(StandardCharsets.UTF_8), "SentencePiece adds its leading space");
        StringBuilder streamed = new StringBuilder();
        var dec = llama.streamingDecoder(false);
        for (int id : ids) streamed.append(dec.accept(id));
        assertEquals(out.toString(StandardCharsets.UTF_8), streamed.toString());

        Tokenizer gpt2 = tokenizer(GPT2);
        TokenVocabulary g = ConstraintTests.vocabulary(GPT2);
        assertArrayEquals(" the".getBytes(StandardCharsets.UTF_8), g.tokenBytes(gpt2.tokenId("Ġthe")));
        assertTrue(g.isEndOfGeneration(gpt2.tokenId("<|endoftext|>")));
    }

    @Test
    void rollbackCopyAndReplayGiveTheSameMasks() {
        Constraint c = ConstraintCompiler.compile(ConstraintTests.schema("01-person"), ConstraintTests.vocabulary(LLAMA));
        Tokenizer tok = tokenizer(LLAMA);
        int[] ids = tok.encode("{\"name\": \"Ann\", \"age\": 42, \"email\": \"a@b.com\"", false);
        ConstraintMatcher m = c.newState();
        assertFalse(m.accept(tok.bosId()), "control tokens are never text");
        // SentencePiece encodes a leading space; strip it by feeding the tokens after the first piece's space
        int[] body = tok.encode("{", false);
        assertFalse(m.isAllowed(body[0]), "the constraint allows no leading space");
        int first = tok.tokenId("{");
        assertTrue(m.accept(first));
        int[] rest = tok.encode("x" + "\"name\": \"Ann\", \"age\": 42", false);
        int[] tail = java.util.Arrays.copyOfRange(rest, 2, rest.length); // drop '▁x'-ish prefix tokens
        ConstraintMatcher probe = m.copy();
        if (!probe.acceptAll(tail, 0, tail.length)) tail = new int[0];
        assertTrue(m.acceptAll(tail, 0, tail.length));
        long[] before = new long[c.vocabulary().maskWords()];
        m.fillMask(before);
        ConstraintMatcher copy = m.copy();
        int n = m.tokensAccepted();
        long[] mask = new long[c.vocabulary().maskWords()];
        for (int k = 0; k < ids.length && k < 5; k++) {
            m.fillMask(mask);
            int t = -1;
            for (int id = 0; id < c.vocabulary().size() && t < 0; id++) if ((mask[id >>> 6] & (1L << id)) != 0) t = id;
            assertTrue(m.accept(t));
        }
        m.rollback(m.tokensAccepted() - n);
        m.fillMask(mask);
        assertArrayEquals(before, mask);
        copy.fillMask(mask);
        assertArrayEquals(before, mask);
        ConstraintMatcher replay = c.newState();
        int[] all = new int[1 + tail.length];
        all[0] = first;
        System.arraycopy(tail, 0, all, 1, tail.length);
        assertTrue(replay.acceptAll(all, 0, all.length));
        replay.fillMask(mask);
        assertArrayEquals(before, mask);
        int[] bad = {first, first};
        int accepted = replay.tokensAccepted();
        assertFalse(replay.acceptAll(bad, 0, 2), "'{{' is not JSON");
        assertEquals(accepted, replay.tokensAccepted(), "acceptAll is all or nothing");
    }

    static Tokenizer tokenizer(String gguf) {
        try {
            return Tokenizers.load(TestModels.path("tokenizer/" + gguf));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
