package dev.gannet.loadtest;

/** Counts the tokens of a prompt text, so synthetic prompts can be built to an exact length. */
public interface TokenCounter {

    int count(String text);

    /** How counting is done, in words, for the report. */
    String method();

    /** Whether counts are the server's own (exact) rather than an estimate. */
    boolean exact();

    /** The fallback when the server has no {@code /tokenize}: one token per common English word. */
    static TokenCounter wordEstimate() {
        return new TokenCounter() {
            @Override
            public int count(String text) {
                String t = text.strip();
                return t.isEmpty() ? 0 : t.split("\\s+").length;
            }

            @Override
            public String method() {
                return "estimate: 1 token per common English word (the server has no usable POST /tokenize)";
            }

            @Override
            public boolean exact() {
                return false;
            }
        };
    }
}
