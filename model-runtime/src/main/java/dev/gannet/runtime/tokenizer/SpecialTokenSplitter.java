package dev.gannet.runtime.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts special tokens out of input text before normal tokenization, as llama.cpp's
 * {@code tokenizer_st_partition}: candidates are control, unknown and user-defined tokens, longest
 * text first; each occurrence in a remaining raw fragment becomes that token. Control and unknown
 * tokens are candidates only when special parsing is on; user-defined tokens always are. Tokens
 * flagged lstrip/rstrip swallow ASCII whitespace next to them. Immutable.
 */
final class SpecialTokenSplitter {
    /** A raw-text fragment {@code [start, end)} (token == -1) or one special token. */
    record Fragment(int start, int end, int token) {
        boolean isRaw() {
            return token < 0;
        }
    }

    private final Vocabulary vocab;
    private final int[] candidates; // ids, longest text first

    SpecialTokenSplitter(Vocabulary vocab) {
        this.vocab = vocab;
        List<Integer> c = new ArrayList<>();
        for (int i = 0; i < vocab.size(); i++) {
            TokenType t = vocab.types[i];
            if (t == TokenType.CONTROL || t == TokenType.UNKNOWN || t == TokenType.USER_DEFINED) c.add(i);
        }
        c.sort(Comparator.comparingInt((Integer i) -> -vocab.texts[i].length()).thenComparingInt(i -> i));
        candidates = c.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Splits {@code text} into raw fragments and special tokens, in order. */
    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> frags = new ArrayList<>();
        if (text.isEmpty()) return frags;
        frags.add(new Fragment(0, text.length(), -1));
        for (int id : candidates) {
            TokenType type = vocab.types[id];
            if (!parseSpecial && type != TokenType.USER_DEFINED) continue;
            String special = vocab.texts[id];
            if (text.indexOf(special) < 0) continue;
            frags = splitOn(text, frags, id, special);
        }
        return frags;
    }

    private List<Fragment> splitOn(String text, List<Fragment> frags, int id, String special) {
        List<Fragment> out = new ArrayList<>(frags.size() + 4);
        boolean lstrip = vocab.lstrip.get(id), rstrip = vocab.rstrip.get(id);
        for (Fragment f : frags) {
            if (!f.isRaw()) {
                out.add(f);
                continue;
            }
            int pos = f.start();
            while (pos < f.end()) {
                int match = text.indexOf(special, pos);
                if (match < 0 || match + special.length() > f.end()) break;
                int leftEnd = match;
                if (lstrip) while (leftEnd > pos && isSpace(text.charAt(leftEnd - 1))) leftEnd--;
                if (leftEnd > pos) out.add(new Fragment(pos, leftEnd, -1));
                out.add(new Fragment(match, match + special.length(), id));
                pos = match + special.length();
                if (rstrip) while (pos < f.end() && isSpace(text.charAt(pos))) pos++;
            }
            if (pos < f.end()) out.add(new Fragment(pos, f.end(), -1));
        }
        return out;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    int[] candidateIds() {
        return Arrays.copyOf(candidates, candidates.length);
    }
}
