package dev.gannet.server.http;

import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.template.ChatInputs;
import dev.gannet.server.common.StructuredOutput;

import java.util.List;

/**
 * A parsed, validated generation request, before tokenization.
 *
 * @param chat                chat completions (true) or text completions
 * @param prompts             completions: each a String or an int[]; chat: empty
 * @param chatInputs          chat: the template's inputs (messages, tools, documents, kwargs, generation-prompt flags);
 *                            completions: null
 * @param n                   choices per prompt
 * @param stream              SSE streaming
 * @param includeUsage        stream_options.include_usage
 * @param echo                completions: prepend the prompt to the output
 * @param sampling            the validated sampling record; its {@code maxTokens} is the requested (or the endpoint's
 *                            default) limit, {@link SamplingParams#UNLIMITED} for "the rest of the context"
 * @param maxTokensParam      the JSON field that set the limit ("max_tokens" or "max_completion_tokens")
 * @param priority            vLLM's {@code priority}: lower is scheduled first
 * @param cacheKey            prefix-cache namespace from vLLM's {@code cache_salt}; 0 = shared
 * @param structured          the structured-output constraint asked for ({@code response_format},
 *                            {@code structured_outputs}, {@code guided_*}, or the tool-call grammar of
 *                            {@code tool_choice} required/named), or null for free output
 * @param constraint          {@code structured} compiled for the model (set by {@link #withConstraint} before the
 *                            request is queued; every choice's sequence walks it on its own), or null
 * @param tools               chat: the offered tools and how calls are parsed or constrained; null without tools
 */
record GenerationSpec(boolean chat, List<Object> prompts, ChatInputs chatInputs, int n,
                      boolean stream, boolean includeUsage, boolean echo, SamplingParams sampling,
                      String maxTokensParam, int priority, long cacheKey, StructuredOutput structured,
                      Constraint constraint, ToolCalling tools) {

    GenerationSpec {
        if (constraint != null && (structured == null || !constraint.spec().equals(structured.spec()))) {
            throw new IllegalArgumentException("the compiled constraint is not the one the request asked for");
        }
    }

    /** The same request with its structured-output constraint compiled. */
    GenerationSpec withConstraint(Constraint compiled) {
        return new GenerationSpec(chat, prompts, chatInputs, n, stream, includeUsage, echo, sampling, maxTokensParam,
                priority, cacheKey, structured, compiled, tools);
    }

    /**
     * The same request with its tool-call format resolved (from the chat template or the server's option) and, for
     * {@code tool_choice} required or named, the grammar of those calls as its structured output.
     */
    GenerationSpec withTools(ToolCalling resolved, StructuredOutput toolGrammar) {
        return new GenerationSpec(chat, prompts, chatInputs, n, stream, includeUsage, echo, sampling, maxTokensParam,
                priority, cacheKey, toolGrammar == null ? structured : toolGrammar, constraint, resolved);
    }
}
