package dev.gannet.server.http;

import java.util.List;
import java.util.Map;

/**
 * A parsed, validated generation request, before tokenization.
 *
 * @param chat            chat completions (true) or text completions
 * @param prompts         completions: each a String or an int[]; chat: empty
 * @param messages        chat: role/content maps for the template; completions: empty
 * @param n               choices per prompt
 * @param stream          SSE streaming
 * @param includeUsage    stream_options.include_usage
 * @param echo            completions: prepend the prompt to the output
 * @param maxTokens       requested max tokens, or null for the default
 * @param maxTokensParam  the JSON field that set it ("max_tokens" or "max_completion_tokens")
 * @param addGenerationPrompt chat: template flag add_generation_prompt
 * @param sampling        the sampling fields
 */
record GenerationSpec(boolean chat, List<Object> prompts, List<Map<String, Object>> messages, int n,
                      boolean stream, boolean includeUsage, boolean echo, Integer maxTokens,
                      String maxTokensParam, boolean addGenerationPrompt, SamplingDraft sampling) {
}
