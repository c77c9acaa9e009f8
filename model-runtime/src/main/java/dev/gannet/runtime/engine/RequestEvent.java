package dev.gannet.runtime.engine;

import dev.gannet.runtime.sampler.TokenLogprobs;

/**
 * What one engine step produced for one request: at most one new token with its text and logprobs, and, on the
 * request's last event, how it ended. The one output record from the sampler to the socket.
 *
 * @param requestId the engine's id of the request
 * @param token     the new token id, or -1 when the event carries none (a request ended before producing one:
 *                  abort, error, shutdown)
 * @param index     0-based index of the token among the request's generated tokens (-1 without a token)
 * @param text      text released with this event: complete UTF-8 characters, held back while it could still be
 *                  the start of a stop string; may be empty. The concatenation over all events is the output text.
 * @param logprobs  the token's logprobs when the request asked for them, else null
 * @param finish    set on the request's last event only
 */
public record RequestEvent(long requestId, int token, int index, String text, TokenLogprobs.Snapshot logprobs,
                           FinishInfo finish) {
    public RequestEvent {
        if (text == null) throw new IllegalArgumentException("RequestEvent.text is null");
        if ((token < 0) != (index < 0)) throw new IllegalArgumentException("RequestEvent: token " + token + " with index " + index);
        if (token < 0 && finish == null) throw new IllegalArgumentException("RequestEvent without token or finish");
        if (logprobs != null && logprobs.token() != token) {
            throw new IllegalArgumentException("RequestEvent: logprobs of token " + logprobs.token() + " for token " + token);
        }
    }

    public boolean hasToken() {
        return token >= 0;
    }

    public boolean finished() {
        return finish != null;
    }
}
