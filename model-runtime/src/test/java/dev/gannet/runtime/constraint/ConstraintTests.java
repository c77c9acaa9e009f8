package dev.gannet.runtime.constraint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/** Shared helpers: a one-byte-per-token vocabulary, the real vocabularies, the resource constraints, random walks. */
final class ConstraintTests {
    /** Tokens 0..255 are the single bytes; 256 ends generation. */
    static final TokenVocabulary BYTES = byteVocabulary();
    static final int BYTE_EOS = 256;
    static final String[] SCHEMAS = {"01-person", "02-product", "03-event", "04-linked-list", "05-shape-anyof",
        "06-numbers", "07-strings", "08-optional", "09-order", "10-scores-defs"};
    static final String[] REGEXES = {"01-phone", "02-date", "03-identifier", "04-email", "05-unicode-answer"};
    static final String[] GRAMMARS = {"arithmetic", "list", "json-like"};
    private static final Map<String, TokenVocabulary> VOCABS = new ConcurrentHashMap<>();

    private ConstraintTests() {}

    private static TokenVocabulary byteVocabulary() {
        byte[][] bytes = new byte[257][];
        for (int b = 0; b < 256; b++) bytes[b] = new byte[] {(byte) b};
        return TokenVocabulary.of(bytes, new int[] {BYTE_EOS});
    }

    static Constraint bytes(ConstraintSpec spec) {
        return ConstraintCompiler.compile(spec, BYTES);
    }

    /** Whether the whole string is a complete match, fed byte by byte. */
    static boolean matches(Constraint c, String s) {
        ConstraintMatcher m = c.newState();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) if (!m.accept(b & 0xFF)) return false;
        return m.canTerminate() && m.accept(BYTE_EOS);
    }

    /** Whether the string is a prefix of some match. */
    static boolean isPrefix(Constraint c, String s) {
        ConstraintMatcher m = c.newState();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) if (!m.accept(b & 0xFF)) return false;
        return true;
    }

    /** A shared real vocabulary from ../shared/models/tokenizer (fails loudly if missing). */
    static TokenVocabulary vocabulary(String gguf) {
        return VOCABS.computeIfAbsent(gguf, g -> {
            try {
                return TokenVocabulary.of(Tokenizers.load(TestModels.path("tokenizer/" + g)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static String resource(String path) {
        try (InputStream in = ConstraintTests.class.getResourceAsStream("/constraints/" + path)) {
            if (in == null) throw new AssertionError("missing test resource constraints/" + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ConstraintSpec schema(String name) {
        return ConstraintSpec.jsonSchema(resource("schemas/" + name + ".json"));
    }

    static ConstraintSpec regex(String name) {
        return ConstraintSpec.regex(resource("regex/" + name + ".txt").strip());
    }

    static ConstraintSpec grammar(String name) {
        return ConstraintSpec.grammar(resource("grammars/" + name + ".gbnf"));
    }

    /** Every resource constraint, named. */
    static List<Map.Entry<String, ConstraintSpec>> all() {
        List<Map.Entry<String, ConstraintSpec>> out = new ArrayList<>();
        for (String s : SCHEMAS) out.add(Map.entry("schema " + s, schema(s)));
        for (String r : REGEXES) out.add(Map.entry("regex " + r, regex(r)));
        for (String g : GRAMMARS) out.add(Map.entry("grammar " + g, grammar(g)));
        return out;
    }

    /** The output of a walk, and whether it ended (end-of-generation sampled, or the only choice left). */
    record Walk(String text, boolean ended, int tokens) {}

    /** Samples a uniformly random allowed token each step until the end or {@code cap} tokens. */
    static Walk randomWalk(Constraint c, Random rng, int cap) {
        TokenVocabulary v = c.vocabulary();
        ConstraintMatcher m = c.newState();
        long[] mask = new long[v.maskWords()];
        int[] allowed = new int[v.size()];
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int step = 0; step < cap; step++) {
            m.fillMask(mask);
            int n = 0;
            for (int id = 0; id < v.size(); id++) if ((mask[id >>> 6] & (1L << id)) != 0) allowed[n++] = id;
            assertTrue(n > 0, "no token allowed after " + out.toString(StandardCharsets.UTF_8));
            int t = allowed[rng.nextInt(n)];
            assertTrue(m.accept(t), "masked token refused");
            if (v.isEndOfGeneration(t)) return new Walk(out.toString(StandardCharsets.UTF_8), true, step + 1);
            byte[] b = v.tokenBytes(t);
            out.write(b, 0, b.length);
        }
        return new Walk(out.toString(StandardCharsets.UTF_8), false, cap);
    }

    /** The mask by trying every token on a copy of the matcher. */
    static long[] bruteForceMask(ConstraintMatcher m) {
        TokenVocabulary v = m.constraint().vocabulary();
        long[] mask = new long[v.maskWords()];
        for (int id = 0; id < v.size(); id++) {
            if (m.copy().accept(id)) mask[id >>> 6] |= 1L << id;
        }
        return mask;
    }

    static String describeDifference(long[] expected, long[] actual, TokenVocabulary v) {
        StringBuilder sb = new StringBuilder();
        for (int id = 0; id < v.size() && sb.length() < 400; id++) {
            boolean e = (expected[id >>> 6] & (1L << id)) != 0, a = (actual[id >>> 6] & (1L << id)) != 0;
            if (e != a) {
                byte[] b = v.tokenBytes(id);
                sb.append(id).append(e ? " missing " : " extra ").append(b == null ? "(special)" : Arrays.toString(b)).append("; ");
            }
        }
        return sb.toString();
    }
}
