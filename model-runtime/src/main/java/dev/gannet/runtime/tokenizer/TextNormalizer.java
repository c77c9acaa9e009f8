package dev.gannet.runtime.tokenizer;

import java.text.Normalizer;
import java.util.List;

/**
 * Rewrites each raw-text fragment (text between special tokens) before it is split and merged:
 * SentencePiece's space escaping ({@code ' '} to {@code ▁}) and its leading-space prefix, and
 * Unicode normal forms from Hugging Face normalizers. Steps run in order. Immutable.
 */
final class TextNormalizer {
    /** One rewriting step. */
    sealed interface Step permits Prepend, Replace, UnicodeForm {}

    /** Prepends {@code text} to a non-empty fragment; to the first fragment of the input only if {@code firstOnly}. */
    record Prepend(String text, boolean firstOnly) implements Step {}

    /** Replaces every occurrence of {@code from} with {@code to}. */
    record Replace(String from, String to) implements Step {
        Replace {
            if (from.isEmpty()) throw new IllegalArgumentException("Replace normalizer with an empty pattern");
        }
    }

    /** Applies a Unicode normal form (NFC, NFKC, ...). */
    record UnicodeForm(Normalizer.Form form) implements Step {}

    static final String SPACE_MARK = "\u2581";

    private final List<Step> steps;

    TextNormalizer(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /** llama.cpp's SentencePiece rule: optional leading space on every fragment, then spaces escaped. */
    static TextNormalizer sentencePiece(boolean addSpacePrefix) {
        return addSpacePrefix
                ? new TextNormalizer(List.of(new Prepend(" ", false), new Replace(" ", SPACE_MARK)))
                : new TextNormalizer(List.of(new Replace(" ", SPACE_MARK)));
    }

    static TextNormalizer identity() {
        return new TextNormalizer(List.of());
    }

    boolean isIdentity() {
        return steps.isEmpty();
    }

    /** Whether a leading space is added (so that decoding drops it again). */
    boolean addsSpacePrefix() {
        for (Step s : steps) {
            if (s instanceof Prepend p && (p.text().equals(" ") || p.text().equals(SPACE_MARK))) return true;
        }
        return false;
    }

    String apply(String fragment, boolean firstFragment) {
        String s = fragment;
        for (Step step : steps) {
            s = switch (step) {
                case Prepend p -> (s.isEmpty() || (p.firstOnly() && !firstFragment)) ? s : p.text() + s;
                case Replace r -> s.replace(r.from(), r.to());
                case UnicodeForm u -> Normalizer.normalize(s, u.form());
            };
        }
        return s;
    }
}
