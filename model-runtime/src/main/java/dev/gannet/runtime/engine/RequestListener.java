package dev.gannet.runtime.engine;

/**
 * Receives one request's output, one {@link RequestEvent} at a time, ON THE ENGINE THREAD: it must not block or do
 * heavy work (hand the event to another thread, e.g. a Vert.x context, and return). Exactly one event per request
 * carries {@link RequestEvent#finish()}, and it is the last. An exception thrown for a token event ends the
 * request with {@link FinishReason#ERROR}; one thrown for the final event is logged and dropped.
 */
@FunctionalInterface
public interface RequestListener {
    void onEvent(RequestEvent event);
}
