package dev.gannet.runtime.tokenizer;

import dev.gannet.runtime.gguf.GgufException;
import dev.gannet.runtime.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds a {@link Tokenizer} from a model's own files: GGUF metadata ({@code tokenizer.ggml.*}) or a
 * Hugging Face {@code tokenizer.json} (with {@code tokenizer_config.json} beside it). The GGUF
 * tokenizer model picks the algorithm: {@code llama} is SentencePiece, {@code gpt2} byte-level BPE
 * with the pre-tokenizer named by {@code tokenizer.ggml.pre}.
 */
public final class Tokenizers {
    private Tokenizers() {}

    /** Loads from a GGUF file or a Hugging Face folder / {@code tokenizer.json}, by what the path is. */
    public static Tokenizer load(Path path) throws IOException {
        if (Files.isDirectory(path) || path.getFileName().toString().endsWith(".json")) {
            return fromHuggingFace(path);
        }
        try (GgufFile gguf = GgufFile.open(path)) {
            return fromGguf(gguf);
        }
    }

    /** Loads a Hugging Face tokenizer from a model folder or its {@code tokenizer.json}. */
    public static Tokenizer fromHuggingFace(Path path) throws IOException {
        return HfTokenizerLoader.load(path);
    }

    /** Reads {@code tokenizer.ggml.*} metadata; the tokenizer copies what it needs and outlives the file. */
    public static Tokenizer fromGguf(GgufFile gguf) throws GgufException {
        Path file = gguf.path();
        String model = gguf.getString("tokenizer.ggml.model");
        Vocabulary vocab = ggufVocabulary(gguf);
        int n = vocab.size();
        Tokenizer.Kind kind;
        PairTable merges = null;
        TextNormalizer normalizer;
        PreTokenizer pre;
        boolean ignoreMerges = false, addBos;
        int bos, eos, unk;
        switch (model) {
            case "llama" -> {
                kind = Tokenizer.Kind.SENTENCEPIECE;
                normalizer = TextNormalizer.sentencePiece(gguf.getBoolean("tokenizer.ggml.add_space_prefix", true));
                pre = PreTokenizer.none();
                addBos = true;
                bos = 1;
                eos = 2;
                unk = 0;
            }
            case "gpt2" -> {
                kind = Tokenizer.Kind.BPE_BYTE_LEVEL;
                PreTokenizer.Preset preset;
                try {
                    preset = PreTokenizer.forGgufName(gguf.getString("tokenizer.ggml.pre", "default"));
                } catch (IllegalArgumentException e) {
                    throw new GgufException(file, e.getMessage());
                }
                merges = ggufMerges(gguf, vocab);
                normalizer = TextNormalizer.identity();
                pre = preset.splitter();
                ignoreMerges = preset.ignoreMerges();
                addBos = preset.addBos();
                bos = -1;
                eos = -1;
                unk = -1;
            }
            default -> throw new GgufException(file, "unsupported tokenizer.ggml.model '" + model
                    + "'; supported: llama (SentencePiece), gpt2 (byte-level BPE)");
        }
        addBos = gguf.getBoolean("tokenizer.ggml.add_bos_token", addBos);
        boolean addEos = gguf.getBoolean("tokenizer.ggml.add_eos_token", false);
        return new Tokenizer(new Tokenizer.Spec(file.toString(), kind, vocab, merges, normalizer, pre, ignoreMerges,
                addBos, addEos,
                specialId(gguf, "tokenizer.ggml.bos_token_id", bos, n),
                specialId(gguf, "tokenizer.ggml.eos_token_id", eos, n),
                specialId(gguf, "tokenizer.ggml.eot_token_id", -1, n),
                specialId(gguf, "tokenizer.ggml.eom_token_id", -1, n),
                specialId(gguf, "tokenizer.ggml.unknown_token_id", unk, n),
                specialId(gguf, "tokenizer.ggml.padding_token_id", -1, n)));
    }

    private static Vocabulary ggufVocabulary(GgufFile gguf) throws GgufException {
        Path file = gguf.path();
        List<String> tokens = gguf.getStringArray("tokenizer.ggml.tokens");
        int n = tokens.size();
        float[] scores = gguf.has("tokenizer.ggml.scores") ? gguf.getFloatArray("tokenizer.ggml.scores").clone() : new float[n];
        if (scores.length != n) throw new GgufException(file, "tokenizer.ggml.scores has " + scores.length + " entries for " + n + " tokens");
        int[] codes = gguf.has("tokenizer.ggml.token_type") ? gguf.getIntArray("tokenizer.ggml.token_type") : null;
        if (codes != null && codes.length != n) {
            throw new GgufException(file, "tokenizer.ggml.token_type has " + codes.length + " entries for " + n + " tokens");
        }
        TokenType[] types = new TokenType[n];
        for (int i = 0; i < n; i++) types[i] = codes == null ? TokenType.NORMAL : TokenType.fromGguf(codes[i]);
        try {
            return new Vocabulary(file.toString(), tokens, scores, types);
        } catch (IllegalArgumentException e) {
            throw new GgufException(file, e.getMessage());
        }
    }

    /** A special token id key; absent or out of range (-1 is stored as 0xFFFFFFFF) keeps the default, as llama.cpp does. */
    private static int specialId(GgufFile gguf, String key, int dflt, int vocabSize) throws GgufException {
        if (!gguf.has(key)) return dflt;
        long v = gguf.getLong(key);
        return v >= 0 && v < vocabSize ? (int) v : dflt;
    }

    private static PairTable ggufMerges(GgufFile gguf, Vocabulary vocab) throws GgufException {
        if (!gguf.has("tokenizer.ggml.merges")) {
            throw new GgufException(gguf.path(), "missing metadata tokenizer.ggml.merges (needed by a gpt2 tokenizer)");
        }
        List<String> lines = gguf.getStringArray("tokenizer.ggml.merges");
        PairTable table = new PairTable(lines.size());
        for (int rank = 0; rank < lines.size(); rank++) {
            String line = lines.get(rank);
            int sp = line.indexOf(' ', 1);
            if (sp < 0) throw new GgufException(gguf.path(), "tokenizer.ggml.merges[" + rank + "] '" + line + "' has no space");
            addMerge(table, vocab, line.substring(0, sp), line.substring(sp + 1), rank);
        }
        return table;
    }

    /** Adds one merge rule; a rule whose parts or result are not tokens cannot yield a token and is skipped. */
    static void addMerge(PairTable table, Vocabulary vocab, String left, String right, int rank) {
        int l = vocab.id(left), r = vocab.id(right), m = vocab.id(left + right);
        if (l >= 0 && r >= 0 && m >= 0) table.put(l, r, rank, m);
    }
}
