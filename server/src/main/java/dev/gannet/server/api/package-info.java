/**
 * The contract between the front end and an inference engine: {@link dev.gannet.server.api.ServingBackend}
 * and the records that cross it besides the engine's own ({@code Request}, {@code RequestEvent}). The engine adapter
 * implements {@code ServingBackend}; the HTTP and gRPC layers only call it. Request life: parse and validate on the
 * event loop into the runtime's one {@code SamplingParams}, tokenize (worker thread for long inputs), {@code submit}
 * (enqueue only); events arrive on the engine thread through the one {@code RequestListener} and hop back to the
 * request's Vert.x context.
 */
package dev.gannet.server.api;
