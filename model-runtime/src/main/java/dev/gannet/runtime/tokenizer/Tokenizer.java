package dev.gannet.runtime.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Text to token ids and back, with llama.cpp's algorithms, so that a prompt gets exactly the ids
 * llama.cpp would give it. Build one with {@link Tokenizers#fromGguf} or {@link Tokenizers#fromHuggingFace}.
 * Immutable and thread-safe: every call allocates its own scratch state.
 *
 * <h2>Encoding</h2>
 * {@link #encode(String, boolean, boolean) encode(text, addSpecial, parseSpecial)} follows
 * {@code llama_tokenize}: with {@code addSpecial} the BOS (and EOS) token is added only if the model
 * asks for it ({@link #addBosByDefault()}: true for SentencePiece Llama, false for GPT-2/Qwen2);
 * with {@code parseSpecial} control tokens written in the text ({@code <s>}, {@code <|im_start|>}) become
 * their ids, otherwise they are tokenized as plain text. User-defined added tokens are always matched.
 * Three kinds of model ({@link Kind}):
 * <ul>
 *   <li>SentencePiece (GGUF {@code tokenizer.ggml.model = llama}): spaces become {@code ▁}, each raw
 *       fragment gets a leading space, pieces merge by score, unknown characters fall back to
 *       {@code <0xXX>} byte tokens;</li>
 *   <li>BPE with byte fallback (a Hugging Face {@code tokenizer.json} converted from SentencePiece):
 *       the same text handling, merges by rank;</li>
 *   <li>byte-level BPE (GGUF {@code gpt2}; GPT-2, Llama 3, Qwen2): a pre-tokenizer regex splits words,
 *       words are written in GPT-2's byte alphabet and merge by rank.</li>
 * </ul>
 * Input that is not valid Unicode (lone surrogates, malformed UTF-8 via {@link #encodeUtf8}) is
 * tokenized as if each bad unit were U+FFFD.
 *
 * <h2>Decoding</h2>
 * {@link #decode(int[])} renders a whole sequence: control and unknown tokens render as nothing, byte
 * tokens join into UTF-8, invalid UTF-8 becomes U+FFFD, and for SentencePiece the leading space that
 * encoding added is dropped from the first token that renders text. For text generated after a prompt
 * use {@link #decode(int[], boolean, boolean)} with {@code sequenceStart = false} or a
 * {@link StreamingDecoder}, which returns only complete characters as tokens arrive.
 */
public final class Tokenizer {
    /** How text is split and merged. */
    public enum Kind { SENTENCEPIECE, BPE_BYTE_FALLBACK, BPE_BYTE_LEVEL }

    /** Token texts that end generation (llama.cpp's list), besides the EOS/EOT/EOM ids. */
    private static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>",
            "<end_of_utterance>", "<\uFF5Cend\u2581of\u2581sentence\uFF5C>");
    private static final byte[] EMPTY = new byte[0];

    /** Everything a loader decides; ids are -1 when absent. */
    record Spec(String source, Kind kind, Vocabulary vocab, PairTable merges, TextNormalizer normalizer,
                PreTokenizer preTokenizer, boolean ignoreMerges, boolean addBos, boolean addEos,
                int bos, int eos, int eot, int eom, int unk, int pad) {}

    private final Spec spec;
    private final Vocabulary vocab;
    private final SpecialTokenSplitter specials;
    private final byte[][] pieces;   // bytes of each token with special rendering
    private final boolean[] eog;
    private final int[] eogIds;
    private final int eot;
    private final boolean stripLeadingSpace;
    private final int maxPieceBytes; // the most bytes one token's text has: no token covers more characters of input

    Tokenizer(Spec spec) {
        this.spec = spec;
        this.vocab = spec.vocab();
        for (int id : new int[] {spec.bos(), spec.eos(), spec.eot(), spec.eom(), spec.unk(), spec.pad()}) {
            if (id >= vocab.size()) throw new IllegalArgumentException(spec.source() + ": special token id " + id
                    + " is outside the vocabulary of " + vocab.size());
        }
        if (spec.kind() != Kind.SENTENCEPIECE && spec.merges() == null) {
            throw new IllegalArgumentException(spec.source() + ": a BPE tokenizer needs merges");
        }
        this.eog = new boolean[vocab.size()];
        this.eot = markEndOfGeneration(spec.eos(), spec.eot(), spec.eom());
        this.eogIds = collectTrue(eog);
        this.specials = new SpecialTokenSplitter(vocab);
        this.pieces = new byte[vocab.size()][];
        int longest = 1;
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = renderPiece(i);
            longest = Math.max(longest, pieces[i].length);
        }
        this.maxPieceBytes = longest;
        this.stripLeadingSpace = spec.normalizer().addsSpacePrefix();
    }

    /** Marks EOS/EOT/EOM and llama.cpp's end-of-turn texts as end-of-generation (and control); returns the EOT id. */
    private int markEndOfGeneration(int eos, int eotId, int eom) {
        int foundEot = eotId;
        for (String text : EOG_TEXTS) {
            int id = vocab.id(text);
            if (id < 0) continue;
            eog[id] = true;
            vocab.types[id] = TokenType.CONTROL;
            if (foundEot < 0 && !text.equals("<|eom_id|>") && !text.equals("<|return|>") && !text.equals("<|call|>")) {
                foundEot = id;
            }
        }
        for (int id : new int[] {eos, foundEot, eom}) if (id >= 0) eog[id] = true;
        return foundEot;
    }

    private static int[] collectTrue(boolean[] flags) {
        IntList l = new IntList(4);
        for (int i = 0; i < flags.length; i++) if (flags[i]) l.add(i);
        return l.toArray();
    }

    private byte[] renderPiece(int id) {
        String text = vocab.texts[id];
        return switch (vocab.types[id]) {
            case UNUSED -> EMPTY;
            case BYTE -> {
                int b = Vocabulary.byteTokenValue(text);
                yield b < 0 ? text.getBytes(StandardCharsets.UTF_8) : new byte[] {(byte) b};
            }
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> spec.kind() == Kind.BPE_BYTE_LEVEL
                    ? ByteLevel.decode(text)
                    : text.replace(TextNormalizer.SPACE_MARK, " ").getBytes(StandardCharsets.UTF_8);
        };
    }

    // ---- encoding ------------------------------------------------------------------------------

    /** {@code encode(text, addBos, false)}: BOS only if {@code addBos} and the model adds one. */
    public int[] encode(String text, boolean addBos) {
        return encode(text, addBos, false);
    }

    /**
     * Tokenizes {@code text} as {@code llama_tokenize(text, addSpecial, parseSpecial)} does.
     *
     * @param addSpecial   add BOS/EOS where the model says to ({@link #addBosByDefault()})
     * @param parseSpecial turn control-token texts in {@code text} into their ids
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return encode(text, addSpecial, parseSpecial, Integer.MAX_VALUE);
    }

    /**
     * As {@link #encode(String, boolean, boolean)}, but gives up as soon as the text is certain to need more than
     * {@code maxTokens} tokens: at once when it has more characters than {@code maxTokens} tokens can cover (no token
     * covers more characters than its text has bytes), else after the piece of text that crossed the limit. So a huge
     * prompt costs no more work than about {@code maxTokens} tokens' worth.
     *
     * @throws TokenLimitException when the text needs more than {@code maxTokens} tokens
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial, int maxTokens) {
        if ((long) text.length() > (long) maxTokens * maxPieceBytes) {
            throw new TokenLimitException(maxTokens, "the text has " + text.length() + " characters, more than "
                    + maxTokens + " tokens can hold");
        }
        String clean = replaceLoneSurrogates(text);
        IntList out = new IntList(Math.max(16, Math.min(clean.length() / 3, maxTokens)));
        if (addSpecial && spec.addBos() && spec.bos() >= 0) out.add(spec.bos());
        SymbolMerger merger = new SymbolMerger(vocab, spec.merges(), spec.unk());
        boolean first = true;
        for (SpecialTokenSplitter.Fragment f : specials.split(clean, parseSpecial)) {
            if (f.isRaw()) {
                encodeRaw(clean.substring(f.start(), f.end()), first, merger, out, maxTokens);
            } else {
                out.add(f.token());
            }
            first = false;
            checkLimit(out, maxTokens);
        }
        if (addSpecial && spec.addEos() && spec.eos() >= 0) out.add(spec.eos());
        checkLimit(out, maxTokens);
        return out.toArray();
    }

    private static void checkLimit(IntList out, int maxTokens) {
        if (out.size() > maxTokens) {
            throw new TokenLimitException(maxTokens, "the text needs more than " + maxTokens + " tokens");
        }
    }

    /** Tokenizes UTF-8 bytes; malformed sequences count as U+FFFD. */
    public int[] encodeUtf8(byte[] utf8, boolean addSpecial, boolean parseSpecial) {
        return encode(new String(utf8, StandardCharsets.UTF_8), addSpecial, parseSpecial);
    }

    private void encodeRaw(String raw, boolean first, SymbolMerger merger, IntList out, int maxTokens) {
        String text = spec.normalizer().apply(raw, first);
        switch (spec.kind()) {
            case SENTENCEPIECE -> merger.encode(text, true, out);
            case BPE_BYTE_FALLBACK, BPE_BYTE_LEVEL -> {
                boolean byteLevel = spec.kind() == Kind.BPE_BYTE_LEVEL;
                IntList bounds = new IntList(16);
                spec.preTokenizer().split(text, 0, text.length(), bounds);
                int[] b = bounds.toArray();
                for (int i = 0; i < b.length; i += 2) {
                    String word = byteLevel ? ByteLevel.encode(text, b[i], b[i + 1]) : text.substring(b[i], b[i + 1]);
                    int whole = spec.ignoreMerges() ? vocab.id(word) : -1;
                    if (whole >= 0) {
                        out.add(whole);
                    } else {
                        merger.encode(word, !byteLevel, out);
                    }
                    checkLimit(out, maxTokens);
                }
            }
        }
    }

    private static String replaceLoneSurrogates(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = false;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    if (sb != null) sb.append(c).append(s.charAt(i + 1));
                    i++;
                    continue;
                }
                bad = true;
            } else if (Character.isLowSurrogate(c)) {
                bad = true;
            }
            if (bad && sb == null) sb = new StringBuilder(s.length()).append(s, 0, i);
            if (sb != null) sb.append(bad ? '\uFFFD' : c);
        }
        return sb == null ? s : sb.toString();
    }

    // ---- decoding ------------------------------------------------------------------------------

    /** Renders a whole sequence (from its start): control tokens hidden, SentencePiece prefix space dropped. */
    public String decode(int[] ids) {
        return decode(ids, true, false);
    }

    /**
     * Renders {@code ids}.
     *
     * @param sequenceStart  the ids begin the sequence, so the leading space SentencePiece encoding
     *                       added is dropped from the first token that renders text
     * @param renderSpecial  render control/unknown tokens as their text instead of nothing
     */
    public String decode(int[] ids, boolean sequenceStart, boolean renderSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        boolean strip = sequenceStart && stripLeadingSpace;
        for (int id : ids) {
            byte[] p = piece(id, renderSpecial);
            if (p.length == 0) continue;
            int from = strip && p[0] == ' ' ? 1 : 0;
            strip = false;
            out.write(p, from, p.length - from);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A decoder that turns ids into text one at a time (see {@link StreamingDecoder}). */
    public StreamingDecoder streamingDecoder(boolean sequenceStart) {
        return new StreamingDecoder(this, sequenceStart, false);
    }

    public StreamingDecoder streamingDecoder(boolean sequenceStart, boolean renderSpecial) {
        return new StreamingDecoder(this, sequenceStart, renderSpecial);
    }

    /** The token's bytes without copying; empty for hidden tokens unless {@code renderSpecial}. */
    byte[] piece(int id, boolean renderSpecial) {
        vocab.check(id);
        return !renderSpecial && vocab.types[id].hiddenByDefault() ? EMPTY : pieces[id];
    }

    boolean stripsLeadingSpace() {
        return stripLeadingSpace;
    }

    // ---- vocabulary facts ----------------------------------------------------------------------

    /** The bytes the token stands for in text (control tokens: their literal text, e.g. {@code <s>}). */
    public byte[] tokenBytes(int id) {
        vocab.check(id);
        return pieces[id].clone();
    }

    /** The token's text as stored in the vocabulary ({@code ▁Once}, {@code Ġthe}, {@code <0x0A>}). */
    public String tokenText(int id) {
        vocab.check(id);
        return vocab.texts[id];
    }

    public TokenType tokenType(int id) {
        vocab.check(id);
        return vocab.types[id];
    }

    /** SentencePiece score (0 for BPE vocabularies). */
    public float tokenScore(int id) {
        vocab.check(id);
        return vocab.scores[id];
    }

    /** Id of the token whose vocabulary text is exactly {@code text}, or -1. */
    public int tokenId(String text) {
        return vocab.id(text);
    }

    public int vocabSize() { return vocab.size(); }

    public Kind kind() { return spec.kind(); }

    /** Name of the pre-tokenizer (GGUF {@code tokenizer.ggml.pre} or "hf"), "none" for SentencePiece. */
    public String preTokenizerName() { return spec.preTokenizer().name(); }

    /** Where the tokenizer came from (file path), for messages. */
    public String source() { return spec.source(); }

    /** BOS id, or -1 if the model has none. */
    public int bosId() { return spec.bos(); }

    /** EOS id, or -1 if the model has none. */
    public int eosId() { return spec.eos(); }

    /** End-of-turn id ({@code <|eot_id|>}, {@code <|im_end|>} ...), or -1. */
    public int eotId() { return eot; }

    public int unknownId() { return spec.unk(); }

    public int paddingId() { return spec.pad(); }

    /** Whether {@code encode(text, true)} adds BOS ({@code tokenizer.ggml.add_bos_token}). */
    public boolean addBosByDefault() { return spec.addBos() && spec.bos() >= 0; }

    /** Whether {@code encode(text, true)} appends EOS. */
    public boolean addEosByDefault() { return spec.addEos() && spec.eos() >= 0; }

    /** Whether generating this id ends generation (EOS, EOT, {@code <|im_end|>}, {@code <|endoftext|>} ...). */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < eog.length && eog[id];
    }

    /** All end-of-generation ids, ascending. */
    public int[] endOfGenerationIds() {
        return eogIds.clone();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + spec.kind() + ", " + vocab.size() + " tokens, pre=" + preTokenizerName()
                + ", bos=" + spec.bos() + ", eos=" + spec.eos() + ", eog=" + Arrays.toString(eogIds) + "]";
    }
}
