package dev.gannet.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.constraint.ConstraintException;
import dev.gannet.runtime.constraint.ConstraintSpec;
import dev.gannet.runtime.template.ChatInputs;
import dev.gannet.runtime.toolcall.ToolGrammar;
import dev.gannet.server.api.ModelInfo;
import dev.gannet.server.api.ServingBackend;
import dev.gannet.server.common.Admission;
import dev.gannet.server.common.Inflight;
import dev.gannet.server.common.StructuredOutput;
import dev.gannet.server.common.TokenizeBudget;
import dev.gannet.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/** Handlers of the OpenAI-compatible routes plus /tokenize and /detokenize. */
final class OpenAiRoutes {
    private final ServingBackend backend;
    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final Inflight inflight;
    private final PromptPreparer preparer;
    private final TokenizeBudget budget;
    private final long startedEpochSeconds = System.currentTimeMillis() / 1000;

    OpenAiRoutes(ServingBackend backend, ServerOptions options, ServerMetrics metrics, Inflight inflight,
                 PromptPreparer preparer, TokenizeBudget budget) {
        this.budget = budget;
        this.backend = backend;
        this.options = options;
        this.metrics = metrics;
        this.inflight = inflight;
        this.preparer = preparer;
    }

    void completions(RoutingContext ctx) {
        generate(ctx, false);
    }

    void chat(RoutingContext ctx) {
        generate(ctx, true);
    }

    private void generate(RoutingContext ctx, boolean chat) {
        ModelInfo info = requireServing();
        ObjectNode body = jsonBody(ctx);
        checkModel(body);
        GenerationSpec parsed = chat ? RequestParser.chat(body, info, options.admission())
                : RequestParser.completion(body, info, options.admission());
        GenerationSpec spec = withToolFormat(parsed, info);
        String id = (chat ? "chatcmpl-" : "cmpl-") + randomId();
        ctx.put(RequestLog.REQUEST_ID, id);
        long start = RequestLog.startNanos(ctx);
        withConstraint(ctx, spec).onSuccess(ready -> preparer.prepare(ready, info).onSuccess(prompts -> {
            try {
                checkLengths(ready, prompts, info.contextLength());
                admit(ready, prompts, info);
                GenerationExchange exchange = new GenerationExchange(ctx, backend, ready, prompts, id,
                        options.servedModelName(), metrics, inflight, start, options.timeouts().streamStall());
                exchange.start(options.requestTimeout());
            } catch (RuntimeException e) {
                ctx.fail(e);
            }
        }).onFailure(ctx::fail)).onFailure(ctx::fail);
    }

    /**
     * The spec with its structured-output constraint compiled, before anything is queued: on a worker thread, since a
     * schema the cache has not seen takes milliseconds. One that does not compile is a 400 naming the field and the
     * place of the problem (the schema's JSON pointer, the grammar's line and column).
     */
    private Future<GenerationSpec> withConstraint(RoutingContext ctx, GenerationSpec spec) {
        StructuredOutput so = spec.structured();
        if (so == null) {
            return Future.succeededFuture(spec);
        }
        return ctx.vertx().executeBlocking(() -> {
            try {
                return spec.withConstraint(backend.constraint(so.spec()));
            } catch (ConstraintException e) {
                throw ApiException.badRequest(so.param(), "'" + so.param() + "' is not a usable constraint: " + e.getMessage());
            }
        }, false);
    }

    /**
     * Tool calling: the format calls are parsed in, from the server's option or the chat template; for
     * {@code tool_choice} required or named, the grammar of those calls becomes the request's constraint (compiled
     * with any other in {@link #withConstraint}), so the output always parses into calls.
     */
    private GenerationSpec withToolFormat(GenerationSpec spec, ModelInfo info) {
        ToolCalling tools = spec.tools();
        if (tools == null || !tools.parses()) {
            return spec;
        }
        ToolCalling resolved = tools.withFormat(preparer.toolCallFormat(options.toolCallParser(), info));
        if (!resolved.constrained()) {
            return spec.withTools(resolved, null);
        }
        if (spec.structured() != null) {
            throw ApiException.badRequest("tool_choice", "'tool_choice' " + (resolved.named() == null ? "\"required\""
                    : "naming a function") + " constrains the output to tool calls, so it cannot be combined with '"
                    + spec.structured().param() + "'");
        }
        ConstraintSpec grammar = ToolGrammar.spec(resolved.format(), resolved.callable(), resolved.maxCalls() > 1);
        return spec.withTools(resolved, new StructuredOutput("tools", grammar));
    }

    /**
     * Every prompt must leave room in the context: for at least one token, and for the requested max_tokens when one
     * was given (vLLM's rule); without one the output runs to the end of the context.
     */
    private static void checkLengths(GenerationSpec spec, List<PreparedPrompt> prompts, int contextLength) {
        String promptParam = spec.chat() ? "messages" : "prompt";
        for (PreparedPrompt p : prompts) {
            int len = p.ids().length;
            if (len == 0) {
                throw ApiException.badRequest(promptParam, "the prompt is empty after tokenization");
            }
            if (len >= contextLength) {
                throw ApiException.badRequest(promptParam, "This model's maximum context length is " + contextLength
                        + " tokens; the prompt has " + len + " tokens, leaving no room for a completion");
            }
            int min = spec.sampling().minTokens();
            if (min > 0 && (long) len + min > contextLength) {
                throw ApiException.badRequest("min_tokens", "This model's maximum context length is " + contextLength
                        + " tokens; the prompt has " + len + " tokens, so 'min_tokens' (" + min + ") can never be reached");
            }
            int requested = spec.sampling().maxTokens();
            if (!spec.sampling().unlimited() && (long) len + requested > contextLength) {
                throw ApiException.badRequest(spec.maxTokensParam(), "This model's maximum context length is "
                        + contextLength + " tokens. However, you requested " + ((long) len + requested) + " tokens ("
                        + len + " in the " + promptParam + ", " + requested + " in the completion).");
            }
        }
    }

    /** Sequences (prompts x n) and their tokens against the waiting queue: 429 when full now, 400 when ever too big. */
    private void admit(GenerationSpec spec, List<PreparedPrompt> prompts, ModelInfo info) {
        long tokens = 0;
        for (PreparedPrompt p : prompts) {
            tokens += Math.min(info.contextLength(), (long) p.ids().length + spec.sampling().maxTokens()) * spec.n();
        }
        try {
            options.admission().check(backend.stats(), prompts.size() * spec.n(), tokens, info.kvCacheTokens());
        } catch (Admission.Refused r) {
            throw r.never() ? ApiException.badRequest(r.param(), r.getMessage()) : ApiException.overloaded(r.getMessage(), 1);
        }
    }

    void models(RoutingContext ctx) {
        ModelInfo info = requireServing();
        ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        ObjectNode model = data.addObject();
        model.put("id", options.servedModelName());
        model.put("object", "model");
        model.put("created", startedEpochSeconds);
        model.put("owned_by", "gannet");
        model.put("max_model_len", info.contextLength());
        ObjectNode gannet = model.putObject("gannet");
        gannet.put("model_id", info.modelId());
        gannet.put("device", info.device());
        gannet.put("sharding", info.sharding());
        gannet.put("context_length", info.contextLength());
        gannet.put("vocab_size", info.vocabSize());
        gannet.put("has_chat_template", info.hasChatTemplate() || preparerHasOverride());
        sendJson(ctx, root);
    }

    private boolean preparerHasOverride() {
        return options.chatTemplate() != null;
    }

    /**
     * vLLM's {@code /tokenize}: a {@code prompt}, or chat {@code messages} (with {@code tools},
     * {@code chat_template_kwargs}, {@code add_generation_prompt}, {@code continue_final_message}) rendered by the
     * model's chat template exactly as a chat request's prompt is, then tokenized, so a client sees what the model sees.
     */
    void tokenize(RoutingContext ctx) {
        ModelInfo info = requireServing();
        ObjectNode body = jsonBody(ctx);
        checkModel(body);
        if (JsonFields.present(body, "messages") != null) {
            ChatInputs inputs = RequestParser.chatInputs(body, true);
            boolean addSpecial = JsonFields.optBool(body, "add_special_tokens", false); // the template writes BOS
            long chars = PromptPreparer.messageChars(inputs);
            if (!budget.tryAcquire(chars)) {
                throw PromptPreparer.busy(budget);
            }
            ctx.vertx().executeBlocking(() -> {
                try {
                    String text = preparer.renderText(inputs, info);
                    return tokensJson(backend.tokenize(text, addSpecial), info, text);
                } finally {
                    budget.release(chars);
                }
            }, false).onSuccess(node -> sendJson(ctx, node)).onFailure(ctx::fail);
            return;
        }
        String prompt = JsonFields.optString(body, "prompt");
        if (prompt == null) {
            throw ApiException.badRequest("prompt", "'prompt' (or chat 'messages') is required");
        }
        boolean addSpecial = JsonFields.optBool(body, "add_special_tokens", true);
        if (!budget.tryAcquire(prompt.length())) {
            throw PromptPreparer.busy(budget);
        }
        respondOffLoopIfLong(ctx, prompt.length(), () -> {
            try {
                return tokensJson(backend.tokenize(prompt, addSpecial), info, null);
            } finally {
                budget.release(prompt.length());
            }
        });
    }

    /** {@code {tokens, count, max_model_len}}, and for messages the rendered {@code prompt} text. */
    private static ObjectNode tokensJson(int[] ids, ModelInfo info, String rendered) {
        ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
        ArrayNode tokens = root.putArray("tokens");
        for (int id : ids) {
            tokens.add(id);
        }
        root.put("count", ids.length);
        root.put("max_model_len", info.contextLength());
        if (rendered != null) {
            root.put("prompt", rendered);
        }
        return root;
    }

    void detokenize(RoutingContext ctx) {
        ModelInfo info = requireServing();
        ObjectNode body = jsonBody(ctx);
        checkModel(body);
        JsonNode tokens = JsonFields.present(body, "tokens");
        if (tokens == null) {
            throw ApiException.badRequest("tokens", "'tokens' is required");
        }
        int[] ids = JsonFields.tokenIds(tokens, "tokens", info.vocabSize());
        respondOffLoopIfLong(ctx, ids.length * 4L, () -> {
            ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
            root.put("prompt", backend.detokenize(ids));
            return root;
        });
    }

    /** Same rule as {@link PromptPreparer}: short inputs inline, long ones on a worker thread. */
    private static void respondOffLoopIfLong(RoutingContext ctx, long chars, Callable<ObjectNode> work) {
        if (chars <= PromptPreparer.INLINE_CHARS) {
            try {
                sendJson(ctx, work.call());
            } catch (Exception e) {
                ctx.fail(e);
            }
            return;
        }
        ctx.vertx().executeBlocking(work, false).onSuccess(node -> sendJson(ctx, node)).onFailure(ctx::fail);
    }

    /** 503 while draining or loading; otherwise the model's info. */
    private ModelInfo requireServing() {
        if (inflight.draining()) {
            throw ApiException.unavailable("the server is shutting down", "draining");
        }
        if (!backend.ready()) {
            throw ApiException.unavailable("the model is still loading", "loading");
        }
        return backend.modelInfo();
    }

    private void checkModel(ObjectNode body) {
        String model = JsonFields.optString(body, "model");
        if (model != null && !model.equals(options.servedModelName())) {
            throw ApiException.modelNotFound(model);
        }
    }

    /** Strict JSON: a key given twice or anything after the object is a 400, not silently the last value or ignored. */
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT = OpenAiJson.MAPPER.reader()
            .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static ObjectNode jsonBody(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest(null, "the request body must be a JSON object");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, "invalid JSON body: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest(null, "the request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    static void sendJson(RoutingContext ctx, ObjectNode node) {
        ctx.response().putHeader("Content-Type", "application/json").end(OpenAiJson.write(node));
    }

    static String randomId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }

}
