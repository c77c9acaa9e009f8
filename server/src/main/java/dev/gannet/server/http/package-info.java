/**
 * The OpenAI-compatible HTTP API on Vert.x: {@link dev.gannet.server.http.GannetServer} (start, drain,
 * close), routes for {@code /v1/completions}, {@code /v1/chat/completions}, {@code /v1/models},
 * {@code /tokenize}, {@code /detokenize}, {@code /health}, {@code /ready}, {@code /metrics}.
 *
 * <p>Thread rules: handlers run on an event loop and never block; each generation request's state
 * lives on its Vert.x context ({@code GenerationExchange}). Chat templates and prompts over 8 KiB
 * characters are prepared on a worker thread. Timeouts and client disconnects abort the request's
 * sequences; a deadline ends them with {@code finish_reason: "abort"} (HTTP 200, the partial text),
 * in streams too, followed by {@code data: [DONE]}.
 */
package dev.gannet.server.http;
