package dev.gannet.runtime.tokenizer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;

/**
 * The token table shared by every tokenizer kind: text of each id in the vocabulary's own alphabet
 * ({@code ▁} for spaces in SentencePiece, GPT-2's byte alphabet in byte-level BPE), score, type,
 * and the reverse map. Immutable after construction (types may be raised to CONTROL by the loader
 * before the tokenizer is built, as llama.cpp does for end-of-generation tokens).
 */
final class Vocabulary {
    final String source;
    final String[] texts;
    final float[] scores;
    final TokenType[] types;
    /** Tokens that swallow whitespace on their left / right when matched in text (HF lstrip/rstrip). */
    final BitSet lstrip = new BitSet();
    final BitSet rstrip = new BitSet();
    private final HashMap<String, Integer> ids;
    private final int[] byteIds = new int[256]; // byte -> its fallback token, -1 if none

    Vocabulary(String source, List<String> tokens, float[] scores, TokenType[] types) {
        int n = tokens.size();
        if (n == 0) throw new IllegalArgumentException(source + ": empty vocabulary");
        if (scores.length != n) throw new IllegalArgumentException(source + ": " + scores.length + " scores for " + n + " tokens");
        if (types.length != n) throw new IllegalArgumentException(source + ": " + types.length + " token types for " + n + " tokens");
        this.source = source;
        this.texts = new String[n];
        this.scores = scores;
        this.types = types;
        this.ids = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            String t = tokens.get(i);
            if (t == null || t.isEmpty()) t = "[EMPTY_" + i + "]"; // llama.cpp's name for empty entries
            texts[i] = t;
            ids.put(t, i); // a duplicate text maps to its last id, as in llama.cpp
        }
        for (int b = 0; b < 256; b++) {
            int id = id(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) id = id(String.valueOf((char) b));
            byteIds[b] = id;
        }
    }

    int size() {
        return texts.length;
    }

    /** Id of the token whose text is exactly {@code text}, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    /** Checks an id from outside (a request, a sampler) and names the problem. */
    void check(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + texts.length
                    + " tokens (" + source + ")");
        }
    }

    /** The byte a {@code <0xXX>} token stands for, or -1 when the text is not of that form. */
    static int byteTokenValue(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') return -1;
        int hi = Character.digit(text.charAt(3), 16), lo = Character.digit(text.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    /** Id of the byte-fallback token for {@code b}: {@code <0xXX>}, else the one-byte text, else -1. */
    int byteToken(int b) {
        return byteIds[b & 0xFF];
    }
}
