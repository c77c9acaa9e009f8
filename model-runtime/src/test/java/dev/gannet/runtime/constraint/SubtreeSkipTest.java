package dev.gannet.runtime.constraint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mask walk skips a trie subtree when no path below it can die: the automaton's state loops to itself
 * on every byte below it ({@code TokenVocabulary.subtreeBytes}, {@code RuleDfa.loopBytes}), or the subtree
 * continues with text characters only, no more than the state has room for ({@code textHeight},
 * {@code textSafe}). On a small
 * vocabulary mixing plain
 * ASCII with quotes, backslashes, control bytes, whole multi-byte UTF-8 characters and their fragments,
 * masks must equal brute force in states that loop (string bodies, {@code [a-z]*}), states that do not
 * (bounded strings, {@code (ab)*}, mid-character), through both walks (plain rules and the stack walk).
 */
class SubtreeSkipTest {
    private static final String[] PIECES = {"a", "b", "z", "e", " ", "\"", "\\", "\n", "\u0001", "1", "{", "}", ":",
        ",", "é", "中", "😀"};
    private static final TokenVocabulary VOCAB = vocabulary();

    /** Hand-picked tokens, every single byte (so any prefix can be fed), random mixtures, then end of generation. */
    private static TokenVocabulary vocabulary() {
        List<byte[]> tokens = new ArrayList<>();
        for (String s : List.of("ab", "abc", "abcd", "hello", "hello world", " the", "aaaaaaaaaaaaaaaa", "aaaaaaaa\"",
                "a\"", "ab\"c", "\\n", "\\\"", "\\u00e9", "\",", "\"}", "{\"", "\": \"", "a\tb", "aé", "éa", "中文",
                "a中", "é\"", "😀a", "ab\\")) {
            tokens.add(s.getBytes(StandardCharsets.UTF_8));
        }
        for (int b = 0; b < 256; b++) tokens.add(new byte[] {(byte) b});
        for (int[] frag : new int[][] {{0xC3, 0xA9, 0x22}, {0x61, 0xC3}, {0xE4, 0xB8}, {0xB8, 0xAD}, {0x61, 0xFF}}) {
            byte[] b = new byte[frag.length];
            for (int i = 0; i < frag.length; i++) b[i] = (byte) frag[i];
            tokens.add(b);
        }
        Random rng = new Random(17);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            boolean special = rng.nextInt(4) == 0;
            for (int k = 1 + rng.nextInt(7); k > 0; k--) sb.append(PIECES[rng.nextInt(special ? PIECES.length : 5)]);
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (rng.nextInt(20) == 0) b[b.length - 1] = (byte) 0x80; // a stray continuation byte
            tokens.add(b);
        }
        tokens.add(null); // end of generation
        return TokenVocabulary.of(tokens.toArray(new byte[0][]), new int[] {tokens.size() - 1});
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(ConstraintSpec.jsonSchema("{\"type\": \"string\"}"), new String[] {"\"", "\"ab", "\"a\\", "\"\u00e9", "\"\u4e2d"}),
                Arguments.of(ConstraintSpec.jsonSchema("{\"type\": \"string\", \"maxLength\": 5}"), new String[] {"\"", "\"ab"}),
                Arguments.of(ConstraintSpec.jsonSchema("{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"},"
                        + " \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}}}"),
                        new String[] {"{\"name\": \"", "{\"name\": \"x", "{\"tags\": [\"a", "{\"tags\": [\"a\", \"\\"}),
                Arguments.of(ConstraintSpec.regex("[a-z]*(é|中)?[a-z ]*"), new String[] {"", "ab", "abé", "ab\u4e2d"}),
                Arguments.of(ConstraintSpec.regex("(ab)*c"), new String[] {"", "a", "ab"}),
                Arguments.of(ConstraintSpec.jsonObject(), new String[] {"{\"a\": \"", "{\"a\": [1, {\"b\": \"x", "{\"a\": \"\\",
                    "{\"k\": [\"é", "{\"a\": \"x\u00e9"}));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void masksEqualBruteForceAfterPrefixesAndAlongRandomWalks(ConstraintSpec spec, String[] prefixes) {
        for (String prefix : prefixes) {
            Constraint c = ConstraintCompiler.compile(spec, VOCAB); // fresh: every mask walks the trie
            ConstraintMatcher m = c.newState();
            byte[] bytes = prefix.getBytes(StandardCharsets.UTF_8);
            for (byte b : bytes) assertTrue(m.accept(byteToken(b)), prefix);
            if (prefix.endsWith("\u00e9") || prefix.endsWith("\u4e2d")) { // also mid-character
                ConstraintMatcher mid = m.copy();
                mid.rollback(1);
                assertMaskIsBruteForce(mid, prefix + " less its last byte");
            }
            assertMaskIsBruteForce(m, prefix);
        }
        Random rng = new Random(spec.text().hashCode());
        for (int walk = 0; walk < 4; walk++) {
            ConstraintMatcher m = ConstraintCompiler.compile(spec, VOCAB).newState();
            long[] mask = new long[VOCAB.maskWords()];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int step = 0; step < 40 && !m.isComplete(); step++) {
                assertMaskIsBruteForce(m, out.toString(StandardCharsets.UTF_8));
                m.fillMask(mask);
                List<Integer> allowed = new ArrayList<>();
                for (int id = 0; id < VOCAB.size(); id++) if ((mask[id >>> 6] & (1L << id)) != 0) allowed.add(id);
                int t = allowed.get(rng.nextInt(allowed.size()));
                assertTrue(m.accept(t));
                if (VOCAB.isEndOfGeneration(t)) break;
                out.writeBytes(VOCAB.tokenBytes(t));
            }
        }
    }

    @Test
    void subtreeBytesAreTheBytesBelowEachNode() {
        for (int n = 0; n < VOCAB.trieNodes(); n++) {
            long[] expected = new long[4];
            for (int i = VOCAB.tokFrom[n]; i < VOCAB.subtreeTokenEnd(n); i++) {
                byte[] b = VOCAB.bytesOf(VOCAB.sorted[i]);
                for (int k = VOCAB.nodeDepth[n]; k < b.length; k++) expected[(b[k] & 0xFF) >>> 6] |= 1L << b[k];
            }
            long[] actual = java.util.Arrays.copyOfRange(VOCAB.subtreeBytes, 4 * n, 4 * n + 4);
            assertArrayEquals(expected, actual, "node " + n);
            int height = 0;
            for (int i = VOCAB.tokFrom[n]; i < VOCAB.subtreeTokenEnd(n) && height >= 0; i++) {
                byte[] b = VOCAB.bytesOf(VOCAB.sorted[i]);
                int chars = textChars(java.util.Arrays.copyOfRange(b, VOCAB.nodeDepth[n], b.length));
                height = chars < 0 ? -1 : Math.max(height, chars);
            }
            assertEquals(height, VOCAB.textHeight[n], "text height of node " + n);
        }
    }

    /** Code points of well-formed UTF-8 whose ASCII is printable but no quote or backslash; -1 otherwise. */
    private static int textChars(byte[] b) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return -1;
        }
        if (s.codePoints().anyMatch(cp -> cp < 0x80 && !(cp >= 0x20 && cp < 0x7F && cp != '"' && cp != '\\'))) return -1;
        return s.codePointCount(0, s.length());
    }

    /**
     * textSafe against characters tried one by one (all of ASCII and of two-byte UTF-8, a spread of the
     * longer ones): it never claims more room than there is.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void textSafeNeverExceedsTheRoomOfTriedCharacters(ConstraintSpec spec, String[] prefixes) {
        Constraint c = ConstraintCompiler.compile(spec, VOCAB);
        List<byte[]> chars = new ArrayList<>();
        for (int cp = 0x20; cp < 0x10FFFF; cp = cp < 0x800 ? cp + 1 : cp + 997) {
            if (cp == '"' || cp == '\\' || cp == 0x7F || (cp >= 0xD800 && cp < 0xE000)) continue;
            chars.add(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        }
        int bounded = 0;
        for (RuleDfa d : c.grammar.rules) {
            if (d == null) continue;
            int[] room = new int[d.states()];
            java.util.Arrays.fill(room, TextRuns.NONE);
            for (int s = 0; s < d.states(); s++) {
                for (byte[] ch : chars) {
                    int t = s;
                    for (int k = 0; k < ch.length && t != RuleDfa.DEAD; k++) t = d.step(t, ch[k] & 0xFF);
                    if (t == RuleDfa.DEAD) room[s] = 0;
                }
            }
            for (boolean changed = true; changed; ) { // room[s] = 1 + min room of its one-character successors
                changed = false;
                for (int s = 0; s < d.states(); s++) {
                    if (room[s] == 0) continue;
                    for (byte[] ch : chars) {
                        int t = s;
                        for (int k = 0; k < ch.length; k++) t = d.step(t, ch[k] & 0xFF);
                        if (room[t] != TextRuns.NONE && room[t] + 1 < room[s]) {
                            room[s] = room[t] + 1;
                            changed = true;
                        }
                    }
                }
            }
            for (int s = 0; s < d.states(); s++) {
                assertTrue(d.textSafe[s] <= room[s], "state " + s + " claims " + d.textSafe[s] + ", has " + room[s]);
                if (d.textSafe[s] > 0 && d.textSafe[s] < TextRuns.NONE) bounded++;
            }
        }
        if (spec.text().contains("maxLength")) assertTrue(bounded > 0, "a bounded string has room for some characters");
    }

    @Test
    void loopBytesAreTheSelfTransitions() {
        Constraint c = ConstraintCompiler.compile(ConstraintSpec.jsonObject(), VOCAB);
        int looping = 0;
        for (RuleDfa d : c.grammar.rules) {
            if (d == null) continue;
            for (int s = 0; s < d.states(); s++) {
                for (int b = 0; b < 256; b++) {
                    boolean loops = (d.loopBytes[4 * s + (b >>> 6)] & (1L << b)) != 0;
                    assertEquals(d.step(s, b) == s, loops, "state " + s + " byte " + b);
                    if (loops) looping++;
                }
            }
        }
        assertTrue(looping > 0, "a JSON string body loops on its plain characters");
    }

    private static int byteToken(byte b) {
        byte[] one = {b};
        for (int id = 0; id < VOCAB.size(); id++) if (java.util.Arrays.equals(one, VOCAB.bytesOf(id))) return id;
        throw new AssertionError("no token for byte " + (b & 0xFF));
    }

    private static void assertMaskIsBruteForce(ConstraintMatcher m, String after) {
        long[] mask = new long[VOCAB.maskWords()];
        m.fillMask(mask);
        long[] brute = ConstraintTests.bruteForceMask(m);
        assertArrayEquals(brute, mask, () -> "after '" + after + "': " + ConstraintTests.describeDifference(brute, mask, VOCAB));
    }
}
