/**
 * The contract between the front end and an inference engine: {@link dev.gannet.server.api.ServingBackend}
 * and the records that cross it. The engine adapter implements {@code ServingBackend}; the HTTP and
 * gRPC layers only call it. Request life: parse and validate on the event loop, tokenize (worker
 * thread for long inputs), {@code submit} (enqueue only), tokens arrive on the engine thread through
 * {@link dev.gannet.server.api.GenerationListener} and hop back to the request's Vert.x context.
 */
package dev.gannet.server.api;
