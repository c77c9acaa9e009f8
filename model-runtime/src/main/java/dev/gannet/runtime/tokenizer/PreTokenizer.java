package dev.gannet.runtime.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Splits text into words before BPE merging, with a sequence of regexes applied as llama.cpp and
 * Hugging Face's {@code Split(..., "isolated")} do: each regex refines every piece from the previous
 * step, and both the matches and the text between them become pieces (nothing is dropped). Regexes
 * run with {@link Pattern#UNICODE_CHARACTER_CLASS} so that {@code \s}, {@code \p{L}}, {@code \p{N}}
 * follow Unicode; a lookahead never sees past the end of the piece it runs on. Immutable.
 */
final class PreTokenizer {
    /** GPT-2's split regex (llama.cpp's "gpt-2" pre-tokenizer; HF ByteLevel with use_regex). */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's regex with the case-insensitive contractions spelled out, as llama.cpp does. */
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's regex: Llama 3's with single digits. */
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Letters split by case (camelCase words), as in GPT-4o / Llama 4 and Mistral's Tekken. */
    private static final String CASED_WORDS = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+%1$s"
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*%1$s"
            + "|%2$s| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String CONTRACTION = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?";
    private static final String GPT2_NO_TAIL = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    /** A llama.cpp pre-tokenizer: its regexes and the vocabulary flags that come with the name. */
    record Preset(PreTokenizer splitter, boolean ignoreMerges, boolean addBos) {}

    private static final List<String> PRESET_NAMES = List.of("default", "gpt-2", "phi-2", "mpt", "olmo", "jais",
            "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "dbrx", "smaug-bpe", "glm4", "chatglm-bpe",
            "qwen2", "deepseek-r1-qwen", "stablelm2", "megrez", "starcoder", "refact", "command-r", "smollm",
            "codeshell", "exaone", "minerva-7b", "falcon", "gpt-4o", "llama4", "tekken");

    private final String name;
    private final Pattern[] patterns;

    PreTokenizer(String name, List<String> regexes) {
        this.name = name;
        this.patterns = new Pattern[regexes.size()];
        for (int i = 0; i < patterns.length; i++) {
            try {
                patterns[i] = Pattern.compile(regexes.get(i), Pattern.UNICODE_CHARACTER_CLASS);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("pre-tokenizer " + name + ": regex " + i
                        + " does not compile in Java: " + e.getMessage(), e);
            }
        }
    }

    /** A pre-tokenizer that keeps the text as one word. */
    static PreTokenizer none() {
        return new PreTokenizer("none", List.of());
    }

    String name() {
        return name;
    }

    boolean isEmpty() {
        return patterns.length == 0;
    }

    /** The llama.cpp pre-tokenizer named by GGUF's {@code tokenizer.ggml.pre}. */
    static Preset forGgufName(String pre) {
        return switch (pre) {
            case "default" -> preset(pre, false, false, "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2_NO_TAIL, "\\p{N}+", "[0-9][0-9][0-9]");
            case "gpt-2", "phi-2", "mpt", "olmo", "jais" -> preset(pre, false, false, GPT2_NO_TAIL);
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2" ->
                    preset(pre, true, true, LLAMA3);
            case "dbrx", "smaug-bpe", "glm4", "chatglm-bpe" -> preset(pre, false, false, LLAMA3);
            case "qwen2", "deepseek-r1-qwen", "stablelm2", "megrez" -> preset(pre, false, false, QWEN2);
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b" ->
                    preset(pre, false, false, "\\p{N}", GPT2_NO_TAIL);
            case "falcon" -> preset(pre, false, false, "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2_NO_TAIL, "[0-9][0-9][0-9]");
            case "gpt-4o", "llama4" -> preset(pre, false, false, String.format(CASED_WORDS, CONTRACTION, "\\p{N}{1,3}"));
            case "tekken" -> preset(pre, true, true, String.format(CASED_WORDS, "", "\\p{N}"));
            default -> throw new IllegalArgumentException("unsupported tokenizer.ggml.pre '" + pre
                    + "'; supported: " + PRESET_NAMES);
        };
    }

    private static Preset preset(String name, boolean ignoreMerges, boolean addBos, String... regexes) {
        return new Preset(new PreTokenizer(name, List.of(regexes)), ignoreMerges, addBos);
    }

    /**
     * Splits {@code text[start, end)} and appends the pieces as (start, end) pairs to {@code out}.
     */
    void split(String text, int start, int end, IntList out) {
        if (start >= end) return;
        if (patterns.length == 0) {
            out.add(start);
            out.add(end);
            return;
        }
        IntList cur = new IntList(8);
        cur.add(start);
        cur.add(end);
        for (int p = 0; p < patterns.length; p++) {
            IntList next = (p == patterns.length - 1) ? out : new IntList(cur.size() * 2);
            Matcher m = patterns[p].matcher(text);
            int[] pieces = cur.toArray();
            for (int i = 0; i < pieces.length; i += 2) {
                splitOne(m, pieces[i], pieces[i + 1], next);
            }
            cur = next;
        }
    }

    private static void splitOne(Matcher m, int start, int end, IntList out) {
        m.region(start, end);
        int pos = start;
        while (m.find()) {
            if (m.end() == m.start()) continue; // an empty match splits nothing
            if (m.start() > pos) {
                out.add(pos);
                out.add(m.start());
            }
            out.add(m.start());
            out.add(m.end());
            pos = m.end();
        }
        if (pos < end) {
            out.add(pos);
            out.add(end);
        }
    }

    /** Convenience for tests and tools: the pieces of {@code text} as strings. */
    List<String> splitToStrings(String text) {
        IntList b = new IntList(16);
        split(text, 0, text.length(), b);
        int[] a = b.toArray();
        List<String> words = new ArrayList<>(a.length / 2);
        for (int i = 0; i < a.length; i += 2) words.add(text.substring(a[i], a[i + 1]));
        return words;
    }
}
