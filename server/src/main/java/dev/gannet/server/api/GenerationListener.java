package dev.gannet.server.api;

/**
 * Receives one sequence's output, called on the engine thread, in order, never concurrently
 * for one sequence. Implementations must return quickly (the server only hands the event to
 * its event loop).
 */
public interface GenerationListener {

    /** New tokens of one engine step (usually one token; more with speculative decoding). */
    void onTokens(TokenChunk chunk);

    /** The last event of the sequence; {@code result.reason()} says why it ended. */
    void onFinish(GenerationResult result);
}
