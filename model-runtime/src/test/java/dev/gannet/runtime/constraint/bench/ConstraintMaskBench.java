package dev.gannet.runtime.constraint.bench;

import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.constraint.ConstraintCompiler;
import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.constraint.ConstraintSpec;
import dev.gannet.runtime.constraint.TokenVocabulary;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of constraining one token on the 32k-token Llama vocabulary: advancing the matcher by the sampled token
 * and filling the next mask, along a realistic JSON document (a person with a nested address and tags,
 * tokenized by the Llama tokenizer). {@code warm}: the constraint has served this document before, so the
 * per-state token sets are cached (the steady state behind the compiled-constraint cache); {@code cold}:
 * a freshly compiled constraint for every measured token, so each mask walks the vocabulary trie (the first
 * request with a new schema). SampleTime gives p50/p99 per token.
 * <pre>bin/bench-kernels ConstraintMaskBench -p models=/work/shared/models</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ConstraintMaskBench {
    static final String DOCUMENT = "{\"name\": \"Ada Lovelace\", \"age\": 36, \"email\": \"ada.lovelace@analytical.org\", "
            + "\"address\": {\"street\": \"12 St James Square\", \"city\": \"London\", \"zip\": \"10815\"}, "
            + "\"tags\": [\"mathematics\", \"poetry\", \"engines\"]}";

    /** Where ../shared/models is. */
    @Param({"../shared/models"})
    public String models;

    /** A constraint of the shared test set, or json_object. */
    @Param({"01-person", "04-linked-list-doc", "json_object"})
    public String constraint;

    @Param({"warm", "cold"})
    public String cache;

    private TokenVocabulary vocab;
    private ConstraintSpec spec;
    private int[] tokens;
    private Constraint shared;
    private ConstraintMatcher matcher;
    private final long[] mask = new long[512];
    private int position;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Tokenizer tok = Tokenizers.load(Path.of(models, "tokenizer", "ggml-vocab-llama-spm.gguf"));
        vocab = TokenVocabulary.of(tok);
        String doc = DOCUMENT;
        switch (constraint) {
            case "json_object" -> spec = ConstraintSpec.jsonObject();
            case "04-linked-list-doc" -> {
                spec = ConstraintSpec.jsonSchema(resource("schemas/04-linked-list.json"));
                doc = "{\"head\": {\"value\": 12, \"next\": {\"value\": -7, \"next\": {\"value\": 300, \"next\": null}}}}";
            }
            default -> spec = ConstraintSpec.jsonSchema(resource("schemas/" + constraint + ".json"));
        }
        tokens = tokensWithoutLeadingSpace(tok, doc);
        shared = ConstraintCompiler.compile(spec, vocab);
        ConstraintMatcher check = shared.newState();
        if (!check.acceptAll(tokens, 0, tokens.length) || !check.canTerminate()) {
            throw new IllegalStateException("the document is not a complete match of " + constraint);
        }
        matcher = shared.newState();
        for (int i = 0; i <= tokens.length; i++) { // one pass fills the warm caches
            matcher.fillMask(mask);
            if (i < tokens.length) matcher.accept(tokens[i]);
        }
        matcher = shared.newState();
        position = 0;
    }

    /** SentencePiece prefixes the first word with a space; the output starts with '{' itself. */
    public static int[] tokensWithoutLeadingSpace(Tokenizer tok, String text) {
        int[] ids = tok.encode(text, false);
        String first = tok.tokenText(ids[0]);
        if (!first.startsWith("▁")) return ids;
        int bare = tok.tokenId(first.substring(1));
        if (bare < 0) throw new IllegalStateException("no bare form of " + first);
        ids[0] = bare;
        return ids;
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = ConstraintMaskBench.class.getResourceAsStream("/constraints/" + path)) {
            if (in == null) throw new IOException("missing resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Cold: a fresh constraint whose matcher stands before token {@code position} (not timed). */
    @Setup(Level.Invocation)
    public void beforeToken() {
        if (position == tokens.length) {
            position = 0;
            matcher = cache.equals("cold") ? null : shared.newState();
        }
        if (cache.equals("cold")) {
            matcher = ConstraintCompiler.compile(spec, vocab).newState();
            matcher.acceptAll(tokens, 0, position);
        }
    }

    /** Accept the sampled token, then fill the mask for the next one. */
    @Benchmark
    public long acceptAndMask() {
        matcher.accept(tokens[position++]);
        matcher.fillMask(mask);
        return mask[0];
    }
}
