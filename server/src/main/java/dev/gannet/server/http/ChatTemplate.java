package dev.gannet.server.http;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template (Jinja2) rendered with Jinjava, with the variables and
 * functions HF's {@code apply_chat_template} provides: {@code messages}, {@code bos_token},
 * {@code eos_token}, {@code add_generation_prompt}, {@code raise_exception(msg)}; blocks are
 * trimmed and left-stripped as HF configures Jinja. Rendering is CPU work of a few hundred
 * microseconds, so callers run it off the event loop.
 */
public final class ChatTemplate {
    private final String source;
    private final Jinjava jinjava;

    public ChatTemplate(String source) {
        this.source = Objects.requireNonNull(source, "source");
        if (source.isBlank()) {
            throw new IllegalArgumentException("chat template is blank");
        }
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .build();
        jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
    }

    /** Reads a {@code --chat-template FILE}; the error names the file. */
    public static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read chat template file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Called by templates as {@code raise_exception('...')}: rejects the conversation. */
    public static String raiseException(String message) {
        throw new TemplateRejection(message);
    }

    /**
     * Renders the conversation.
     *
     * @throws ApiException 400 (param "messages") when the template raises or fails
     */
    public String render(List<Map<String, Object>> messages, boolean addGenerationPrompt,
                         String bosToken, String eosToken) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RenderResult result;
        try {
            result = jinjava.renderForResult(source, vars);
        } catch (TemplateRejection e) {
            throw ApiException.badRequest("messages", "chat template rejected the messages: " + e.getMessage());
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw ApiException.badRequest("messages", "chat template rejected the messages: "
                        + rootMessage(error));
            }
        }
        return result.getOutput();
    }

    private static String rootMessage(TemplateError error) {
        Throwable t = error.getException();
        while (t != null) {
            if (t instanceof TemplateRejection) {
                return t.getMessage();
            }
            t = t.getCause();
        }
        return error.getMessage();
    }

    /** The exception {@code raise_exception} throws; carries the template's message only. */
    static final class TemplateRejection extends RuntimeException {
        TemplateRejection(String message) {
            super(message, null, false, false);
        }
    }
}
