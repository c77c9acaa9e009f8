package dev.gannet.runtime.engine;

/**
 * The text side of one request's output: turns its generated tokens into text incrementally and watches for its
 * stop strings, which need text to be seen. One per request, made by the engine's {@link Factory} when the
 * request arrives, fed on the engine thread only; it must be fast and must not block.
 */
public interface Detokenizer {

    /**
     * Feeds the next generated token.
     *
     * @param checkStops whether a stop string may end the request with this token (false while
     *                   {@code min_tokens} holds stops off)
     * @return true when a stop string completed: the request ends with STOP and the text from the stop string on
     *         is dropped
     */
    boolean accept(int token, boolean checkStops);

    /**
     * Text that can be released now: complete UTF-8 characters that cannot be the start of a stop string; when
     * {@code finished}, everything still held back.
     */
    String take(boolean finished);

    /** Makes each request's detokenizer. */
    @FunctionalInterface
    interface Factory {
        Detokenizer create(Request request);
    }

    /** No text (engines driven by token ids alone, as in tests): never stops, releases "". */
    Factory NONE = r -> new Detokenizer() {
        @Override
        public boolean accept(int token, boolean checkStops) {
            return false;
        }

        @Override
        public String take(boolean finished) {
            return "";
        }
    };
}
