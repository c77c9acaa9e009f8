package dev.gannet.runtime.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The merge loop shared by SentencePiece and BPE, as in llama.cpp's {@code llm_tokenizer_spm} and
 * {@code llm_tokenizer_bpe}: the word starts as one symbol per code point in a doubly linked list,
 * every adjacent pair that may merge goes into a priority queue, and the best pair is merged until
 * none is left. Stale queue entries are recognised by the pair's combined length, which can only
 * change when one side has merged with something else. One instance serves one encode call.
 */
final class SymbolMerger {
    private final Vocabulary vocab;
    private final PairTable merges; // null for score-based (SentencePiece) merging
    private final int unkId;
    private final MergeQueue queue = new MergeQueue();
    private int[] start = new int[64]; // char offset of each symbol in the word
    private int[] len = new int[64];   // chars; 0 once merged into its left neighbour
    private int[] prev = new int[64];
    private int[] next = new int[64];
    private int[] id = new int[64];    // token id of the symbol, -1 if it is not a token
    private String word;

    SymbolMerger(Vocabulary vocab, PairTable merges, int unkId) {
        this.vocab = vocab;
        this.merges = merges;
        this.unkId = unkId;
    }

    /**
     * Merges {@code word} and appends its tokens. Symbols that end up outside the vocabulary become
     * byte tokens when {@code byteFallback}, otherwise (byte-level BPE, whose alphabet covers every
     * byte) they are dropped as llama.cpp does.
     */
    void encode(String word, boolean byteFallback, IntList out) {
        if (word.isEmpty()) return;
        this.word = word;
        int n = initSymbols(word);
        queue.clear();
        for (int i = 1; i < n; i++) tryAddPair(i - 1, i);
        while (!queue.isEmpty()) {
            queue.pop();
            int l = queue.popLeft, r = queue.popRight;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != queue.popSize) continue;
            len[l] += len[r];
            len[r] = 0;
            id[l] = queue.popResult;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            tryAddPair(prev[l], l);
            tryAddPair(l, next[l]);
        }
        for (int i = 0; i != -1; i = next[i]) emit(i, byteFallback, out);
        this.word = null;
    }

    private int initSymbols(String w) {
        int n = w.codePointCount(0, w.length());
        if (n > start.length) {
            int cap = Math.max(n, start.length * 2);
            start = new int[cap];
            len = new int[cap];
            prev = new int[cap];
            next = new int[cap];
            id = new int[cap];
        }
        int pos = 0;
        for (int i = 0; i < n; i++) {
            int cl = Character.charCount(w.codePointAt(pos));
            start[i] = pos;
            len[i] = cl;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            id[i] = merges == null ? -2 : vocab.id(w.substring(pos, pos + cl)); // -2: look up when emitted
            pos += cl;
        }
        return n;
    }

    private void tryAddPair(int l, int r) {
        if (l < 0 || r < 0) return;
        int size = len[l] + len[r];
        if (merges == null) {
            int tok = vocab.id(word.substring(start[l], start[l] + size));
            if (tok >= 0) queue.push(vocab.scores[tok], l, r, size, tok);
        } else {
            if (id[l] < 0 || id[r] < 0) return;
            int e = merges.find(id[l], id[r]);
            if (e >= 0) queue.push(-(float) merges.rankAt(e), l, r, size, merges.resultAt(e));
        }
    }

    private void emit(int i, boolean byteFallback, IntList out) {
        int tok = id[i] == -2 ? vocab.id(word.substring(start[i], start[i] + len[i])) : id[i];
        if (tok >= 0) {
            out.add(tok);
            return;
        }
        if (!byteFallback) return;
        byte[] bytes = word.substring(start[i], start[i] + len[i]).getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int j = 0; j < bytes.length; j++) {
            ids[j] = vocab.byteToken(bytes[j]);
            if (ids[j] < 0) {
                // no byte token for this byte: the whole symbol becomes <unk>, as HF does
                if (unkId < 0) {
                    throw new IllegalArgumentException(vocab.source + ": no token for character U+"
                            + Integer.toHexString(word.codePointAt(start[i])).toUpperCase()
                            + " and the vocabulary has neither byte tokens nor an unknown token");
                }
                out.add(unkId);
                return;
            }
        }
        for (int t : ids) out.add(t);
    }
}
