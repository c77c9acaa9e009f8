package dev.gannet.runtime.constraint;

import dev.gannet.runtime.tokenizer.TokenType;
import dev.gannet.runtime.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * What the constraint engine needs of a vocabulary: each token's bytes as the detokenizer emits them in
 * generated text, which tokens are never text (control, unknown, unused, empty), and which end
 * generation. Built once per model; it also holds the byte trie of all token strings (nodes in
 * preorder), the part of mask computation that depends only on the vocabulary. Immutable.
 */
public final class TokenVocabulary {
    private final byte[][] bytes;  // null: the token is never allowed as text
    private final int[] eog;
    private final boolean[] isEog;

    // byte trie in preorder; node n's tokens are sorted[tokFrom[n] .. tokFrom[n] + ends[n])
    final int[] sorted;       // text token ids, ordered by their bytes (unsigned)
    final byte[] nodeByte;
    final int[] nodeDepth;    // 1 for the first byte of a token
    final int[] subtreeEnd;   // first node after n's subtree
    final int[] tokFrom;      // first sorted index at or below n
    final int[] ends;         // tokens ending exactly at n
    /**
     * Bytes read anywhere strictly below node n, a 256-bit set at {@code [4n, 4n + 4)}: a walk whose state
     * loops to itself on all of them accepts n's whole subtree without visiting it.
     */
    final long[] subtreeBytes;
    /**
     * The most characters any token continues with below node n when all its tokens continue with text
     * characters only ({@link TextRuns}), else -1: a state with room for that many accepts the whole subtree.
     */
    final int[] textHeight;
    final int maxDepth;

    private TokenVocabulary(byte[][] bytes, int[] eog) {
        this.bytes = bytes;
        this.eog = eog.clone();
        this.isEog = new boolean[bytes.length];
        for (int id : eog) {
            if (id < 0 || id >= bytes.length) throw new IllegalArgumentException("end-of-generation id " + id + " outside the vocabulary");
            isEog[id] = true;
            bytes[id] = null;
        }
        this.sorted = sortByBytes(bytes);
        int max = 0;
        int total = 0;
        for (int i = 0; i < sorted.length; i++) {
            byte[] b = bytes[sorted[i]];
            max = Math.max(max, b.length);
            total += b.length - (i == 0 ? 0 : lcp(bytes[sorted[i - 1]], b));
        }
        this.maxDepth = max;
        this.nodeByte = new byte[total];
        this.nodeDepth = new int[total];
        this.subtreeEnd = new int[total];
        this.tokFrom = new int[total];
        this.ends = new int[total];
        buildTrie();
        this.subtreeBytes = new long[4 * total];
        this.textHeight = new int[total];
        collectSubtreeBytes();
        collectTextHeights();
    }

    public static TokenVocabulary of(Tokenizer tokenizer) {
        byte[][] bytes = new byte[tokenizer.vocabSize()][];
        for (int id = 0; id < bytes.length; id++) {
            TokenType type = tokenizer.tokenType(id);
            boolean text = type == TokenType.NORMAL || type == TokenType.BYTE || type == TokenType.USER_DEFINED;
            byte[] b = text ? tokenizer.tokenBytes(id) : null;
            bytes[id] = b == null || b.length == 0 ? null : b;
        }
        return new TokenVocabulary(bytes, tokenizer.endOfGenerationIds());
    }

    /** A vocabulary from raw token bytes (null or empty: not text) and end-of-generation ids. */
    public static TokenVocabulary of(byte[][] tokenBytes, int[] endOfGenerationIds) {
        byte[][] copy = new byte[tokenBytes.length][];
        for (int i = 0; i < copy.length; i++) {
            byte[] b = tokenBytes[i];
            copy[i] = b == null || b.length == 0 ? null : b.clone();
        }
        return new TokenVocabulary(copy, endOfGenerationIds);
    }

    private static int[] sortByBytes(byte[][] bytes) {
        return java.util.stream.IntStream.range(0, bytes.length).filter(i -> bytes[i] != null).boxed()
                .sorted((a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]))
                .mapToInt(Integer::intValue).toArray();
    }

    private static int lcp(byte[] a, byte[] b) {
        int m = Arrays.mismatch(a, b);
        return m < 0 ? a.length : m;
    }

    private void buildTrie() {
        int[] open = new int[maxDepth + 1]; // node on the current path at each depth
        int n = 0;
        for (int i = 0; i < sorted.length; i++) {
            byte[] b = bytes[sorted[i]];
            int common = i == 0 ? 0 : lcp(bytes[sorted[i - 1]], b);
            int prevLen = i == 0 ? 0 : bytes[sorted[i - 1]].length;
            for (int d = common + 1; d <= prevLen; d++) subtreeEnd[open[d]] = n; // close the old path below common
            for (int d = common + 1; d <= b.length; d++) {
                nodeByte[n] = b[d - 1];
                nodeDepth[n] = d;
                tokFrom[n] = i;
                open[d] = n++;
            }
            ends[open[b.length]]++;
        }
        int lastLen = sorted.length == 0 ? 0 : bytes[sorted[sorted.length - 1]].length;
        for (int d = 1; d <= lastLen; d++) subtreeEnd[open[d]] = n;
    }

    /** Reverse preorder, so each child's set is complete before its parent ORs it in. */
    private void collectSubtreeBytes() {
        for (int n = nodeByte.length - 1; n >= 0; n--) {
            int o = 4 * n;
            for (int c = n + 1; c < subtreeEnd[n]; c = subtreeEnd[c]) {
                int b = nodeByte[c] & 0xFF;
                subtreeBytes[o + (b >>> 6)] |= 1L << b;
                for (int k = 0; k < 4; k++) subtreeBytes[o + k] |= subtreeBytes[4 * c + k];
            }
        }
    }

    /** For each token, its text-character count from every depth on, folded into the nodes of its path. */
    private void collectTextHeights() {
        int[] open = new int[maxDepth + 1];
        int[] chars = new int[maxDepth + 1];
        int n = 0;
        for (int i = 0; i < sorted.length; i++) {
            byte[] b = bytes[sorted[i]];
            int common = i == 0 ? 0 : lcp(bytes[sorted[i - 1]], b);
            for (int d = common + 1; d <= b.length; d++) open[d] = n++;
            chars[b.length] = 0;
            for (int p = b.length - 1; p >= 1; p--) { // the tail after p bytes, read below the node at depth p
                int k = TextRuns.charLength(b, p);
                chars[p] = k == 0 || chars[p + k] < 0 ? -1 : chars[p + k] + 1;
            }
            for (int d = 1; d <= b.length; d++) {
                int node = open[d];
                textHeight[node] = chars[d] < 0 || textHeight[node] < 0 ? -1 : Math.max(textHeight[node], chars[d]);
            }
        }
    }

    /** Sorted index just after the last token in node {@code n}'s subtree. */
    int subtreeTokenEnd(int n) {
        int e = subtreeEnd[n];
        return e < nodeByte.length ? tokFrom[e] : sorted.length;
    }

    public int size() {
        return bytes.length;
    }

    /** longs a mask over this vocabulary needs. */
    public int maskWords() {
        return (bytes.length + 63) >>> 6;
    }

    /** The token's bytes (not a copy: do not modify), or null if it is never text. */
    byte[] bytesOf(int id) {
        return bytes[id];
    }

    /** A copy of the token's bytes, or null if the token is never text. */
    public byte[] tokenBytes(int id) {
        return bytes[id] == null ? null : bytes[id].clone();
    }

    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < isEog.length && isEog[id];
    }

    public int[] endOfGenerationIds() {
        return eog.clone();
    }

    int[] eogIds() {
        return eog;
    }

    int trieNodes() {
        return nodeByte.length;
    }
}
