package dev.gannet.server.http;

import dev.gannet.runtime.sampler.SamplingParams;

import java.util.List;
import java.util.Map;

/**
 * A parsed, validated generation request, before tokenization.
 *
 * @param chat                chat completions (true) or text completions
 * @param prompts             completions: each a String or an int[]; chat: empty
 * @param messages            chat: role/content maps for the template; completions: empty
 * @param n                   choices per prompt
 * @param stream              SSE streaming
 * @param includeUsage        stream_options.include_usage
 * @param echo                completions: prepend the prompt to the output
 * @param sampling            the validated sampling record; its {@code maxTokens} is the requested (or the endpoint's
 *                            default) limit, {@link SamplingParams#UNLIMITED} for "the rest of the context"
 * @param maxTokensParam      the JSON field that set the limit ("max_tokens" or "max_completion_tokens")
 * @param addGenerationPrompt chat: template flag add_generation_prompt
 * @param priority            vLLM's {@code priority}: lower is scheduled first
 * @param cacheKey            prefix-cache namespace from vLLM's {@code cache_salt}; 0 = shared
 */
record GenerationSpec(boolean chat, List<Object> prompts, List<Map<String, Object>> messages, int n,
                      boolean stream, boolean includeUsage, boolean echo, SamplingParams sampling,
                      String maxTokensParam, boolean addGenerationPrompt, int priority, long cacheKey) {
}
