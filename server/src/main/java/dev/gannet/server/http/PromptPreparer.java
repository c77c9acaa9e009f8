package dev.gannet.server.http;

import dev.gannet.server.api.ModelInfo;
import dev.gannet.server.api.ServingBackend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

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
    private volatile ChatTemplate modelTemplate;

    PromptPreparer(Vertx vertx, ServingBackend backend, ChatTemplate override) {
        this.vertx = vertx;
        this.backend = backend;
        this.override = override;
    }

    Future<List<PreparedPrompt>> prepare(GenerationSpec spec, ModelInfo info) {
        if (spec.chat()) {
            // compiling the template (first use) and rendering both happen on a worker
            return vertx.executeBlocking(() -> List.of(renderChat(template(info), spec, info)), false);
        }
        long chars = 0;
        for (Object p : spec.prompts()) {
            chars += p instanceof String s ? s.length() : ((int[]) p).length * 4L;
        }
        if (chars <= INLINE_CHARS) {
            try {
                return Future.succeededFuture(completionPrompts(spec));
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        }
        return vertx.executeBlocking(() -> completionPrompts(spec), false);
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
            t = new ChatTemplate(info.chatTemplate());
            modelTemplate = t;
        }
        return t;
    }

    private PreparedPrompt renderChat(ChatTemplate template, GenerationSpec spec, ModelInfo info) {
        String text = template.render(spec.messages(), spec.addGenerationPrompt(), info.bosToken(), info.eosToken());
        // the template already wrote BOS where the model wants it (as HF apply_chat_template)
        return new PreparedPrompt(backend.tokenize(text, false), text);
    }

    private List<PreparedPrompt> completionPrompts(GenerationSpec spec) {
        List<PreparedPrompt> out = new ArrayList<>(spec.prompts().size());
        for (Object p : spec.prompts()) {
            if (p instanceof String s) {
                out.add(new PreparedPrompt(backend.tokenize(s, true), s));
            } else {
                int[] ids = (int[]) p;
                out.add(new PreparedPrompt(ids, spec.echo() ? backend.detokenize(ids) : ""));
            }
        }
        return out;
    }
}
