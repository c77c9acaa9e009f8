/**
 * The engine: one thread that schedules tokens, runs the model and streams results.
 *
 * <p>Life of a request:
 * <ol>
 *   <li>{@link dev.gannet.runtime.engine.Engine#submit} (any thread) validates that the prompt can
 *       ever fit, assigns an id and enqueues it; it returns a {@link dev.gannet.runtime.engine.RequestHandle}.</li>
 *   <li>At the start of each step the engine thread drains submissions (they become WAITING
 *       {@link dev.gannet.runtime.engine.Sequence}s) and aborts (which free blocks at once).</li>
 *   <li>{@code Scheduler.schedule()} gives running sequences their tokens (decode: 1, prefill: a
 *       chunk), preempting the worst/latest sequence when KV blocks run out, then admits waiting
 *       sequences (prefix-cache hits first) with the remaining budget.</li>
 *   <li>The {@link dev.gannet.runtime.engine.ModelRunner} gets a
 *       {@link dev.gannet.runtime.engine.SchedulerOutput} (ragged tokens, positions, cu_seqlens,
 *       context lengths, block tables, slot mapping, logits rows) and returns one token per
 *       logits row, with its logprobs where asked ({@link dev.gannet.runtime.engine.StepResult}).</li>
 *   <li>Postprocess advances computed tokens, publishes newly full KV blocks to the prefix cache,
 *       appends each sampled token, applies the stop rules (the request's
 *       {@link dev.gannet.runtime.engine.Detokenizer} turns it into text and watches stop strings) and
 *       emits one {@link dev.gannet.runtime.engine.RequestEvent} to the request's one listener; a
 *       finished sequence frees its blocks, and its last event says how it ended.</li>
 * </ol>
 */
package dev.gannet.runtime.engine;
