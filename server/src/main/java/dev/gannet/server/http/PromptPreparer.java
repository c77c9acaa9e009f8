package dev.gannet.server.http;

import dev.gannet.runtime.template.ChatInputs;
import dev.gannet.runtime.tokenizer.TokenLimitException;
import dev.gannet.runtime.toolcall.ToolCallFormat;
import dev.gannet.server.api.ModelInfo;
import dev.gannet.server.api.ServingBackend;
import dev.gannet.server.common.TokenizeBudget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Chat template rendering and tokenization. Short completion prompts are tokenized inline on the
 * event loop (a few microseconds); chat templates and prompts over {@link #INLINE_CHARS} go to a
 * worker thread ({@code executeBlocking}, unordered) so a 100k-character prompt never stalls
 * other connections.
 */
final class PromptPreparer {
    static final int INLINE_CHARS = 8192;

    private final Vertx vertx;
    private final ServingBackend backend;
    private final ChatTemplate override;
    private final TokenizeBudget budget;
    private final Clock clock;
    private volatile ChatTemplate modelTemplate;

    PromptPreparer(Vertx vertx, ServingBackend backend, ChatTemplate override, TokenizeBudget budget, Clock clock) {
        this.clock = clock;
        this.vertx = vertx;
        this.backend = backend;
        this.override = override;
        this.budget = budget;
    }

    /**
     * Renders and tokenizes, within the shared tokenize budget (429 when other requests hold it) and only as far as
     * the context allows: a prompt that needs more tokens than the context is a 400 as soon as that is certain.
     */
    Future<List<PreparedPrompt>> prepare(GenerationSpec spec, ModelInfo info) {
        long chars = spec.chat() ? messageChars(spec.chatInputs()) : promptChars(spec);
        if (!budget.tryAcquire(chars)) {
            return Future.failedFuture(busy(budget));
        }
        int limit = info.contextLength() - 1; // a prompt must leave room for one generated token
        Future<List<PreparedPrompt>> result;
        if (spec.chat()) {
            // compiling the template (first use) and rendering both happen on a worker
            result = vertx.executeBlocking(() -> List.of(renderChat(template(info), spec, info, limit)), false);
        } else if (chars <= INLINE_CHARS) {
            Future<List<PreparedPrompt>> f;
            try {
                f = Future.succeededFuture(completionPrompts(spec, info, limit));
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            result = f;
        } else {
            result = vertx.executeBlocking(() -> completionPrompts(spec, info, limit), false);
        }
        return result.andThen(ar -> budget.release(chars));
    }

    static ApiException busy(TokenizeBudget budget) {
        return ApiException.overloaded("the server is tokenizing as much text as it allows at once ("
                + budget.maxChars() + " characters); retry later", 1);
    }

    private static long promptChars(GenerationSpec spec) {
        long chars = 0;
        for (Object p : spec.prompts()) {
            chars += p instanceof String s ? s.length() : ((int[]) p).length * 4L;
        }
        return chars;
    }

    static long messageChars(ChatInputs inputs) {
        long chars = 0;
        for (Object m : inputs.messages()) {
            Object c = m instanceof java.util.Map<?, ?> map ? map.get("content") : null;
            chars += c == null ? 0 : c.toString().length();
        }
        return chars;
    }

    private static ApiException tooLong(String param, ModelInfo info) {
        return ApiException.badRequest(param, "This model's maximum context length is " + info.contextLength()
                + " tokens; the prompt needs more than " + (info.contextLength() - 1)
                + " tokens, leaving no room for a completion");
    }

    /**
     * The format a request's tool calls are parsed in: the server's {@code tool_call_parser}, else the one the chat
     * template writes calls in. A 400 when neither says, since a call could not be told from text.
     */
    ToolCallFormat toolCallFormat(ToolCallFormat configured, ModelInfo info) {
        if (configured != null) {
            return configured;
        }
        // from the source text, not template(info): the first use compiles the template, which is worker work
        ToolCallFormat f = override != null ? override.toolCallFormat() : ToolCallFormat.detect(info.chatTemplate());
        if (f == null) {
            throw ApiException.badRequest("tools", "this model's chat template writes tool calls in no format the server "
                    + "knows, so calls cannot be parsed; start the server with --tool-call-parser ("
                    + ToolCallFormat.names() + "), or send tool_choice \"none\"");
        }
        return f;
    }

    /** The chat template's text for {@code /tokenize} with messages: rendered as a chat request's is. */
    String renderText(ChatInputs inputs, ModelInfo info) {
        return template(info).render(inputs, info.bosToken(), info.eosToken());
    }

    private ChatTemplate template(ModelInfo info) {
        if (override != null) {
            return override;
        }
        if (!info.hasChatTemplate()) {
            throw ApiException.badRequest("messages", "this model has no chat template: use /v1/completions, "
                    + "or start the server with --chat-template FILE");
        }
        ChatTemplate t = modelTemplate;
        if (t == null) {
            t = new ChatTemplate(info.chatTemplate(), clock);
            modelTemplate = t;
        }
        return t;
    }

    private PreparedPrompt renderChat(ChatTemplate template, GenerationSpec spec, ModelInfo info, int limit) {
        String text = template.render(spec.chatInputs(), info.bosToken(), info.eosToken());
        // the template already wrote BOS where the model wants it (as HF apply_chat_template)
        try {
            return new PreparedPrompt(backend.tokenize(text, false, limit), text);
        } catch (TokenLimitException e) {
            throw tooLong("messages", info);
        }
    }

    private List<PreparedPrompt> completionPrompts(GenerationSpec spec, ModelInfo info, int limit) {
        List<PreparedPrompt> out = new ArrayList<>(spec.prompts().size());
        for (Object p : spec.prompts()) {
            if (p instanceof String s) {
                int[] ids;
                try {
                    ids = backend.tokenize(s, true, limit);
                } catch (TokenLimitException e) {
                    throw tooLong("prompt", info);
                }
                out.add(new PreparedPrompt(ids, s));
            } else {
                int[] ids = (int[]) p;
                out.add(new PreparedPrompt(ids, spec.echo() ? backend.detokenize(ids) : ""));
            }
        }
        return out;
    }
}
