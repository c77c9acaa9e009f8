package dev.gannet.server.http;

import dev.gannet.runtime.template.ChatInputException;
import dev.gannet.runtime.template.ChatInputs;
import dev.gannet.runtime.template.ChatRenderer;
import dev.gannet.runtime.template.JinjaTemplate;
import dev.gannet.runtime.template.RenderLimits;
import dev.gannet.runtime.template.TemplateException;
import dev.gannet.runtime.toolcall.ToolCallFormat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template (Jinja2) rendered as {@code apply_chat_template} renders it, by the
 * runtime's sandboxed interpreter ({@code dev.gannet.runtime.template}). Templates come from model files:
 * one that does not parse, fails, raises or runs past its limits is a 400 naming the template problem.
 * Rendering is CPU work, so callers run it off the event loop.
 */
public final class ChatTemplate {
    private final ChatRenderer renderer;
    private final TemplateException syntaxError;
    private final ToolCallFormat toolCallFormat;

    public ChatTemplate(String source) {
        this(source, Clock.systemDefaultZone());
    }

    /** @param clock what {@code strftime_now} reads (the real date in production) */
    public ChatTemplate(String source, Clock clock) {
        Objects.requireNonNull(source, "source");
        if (source.isBlank()) {
            throw new IllegalArgumentException("chat template is blank");
        }
        JinjaTemplate parsed = null;
        TemplateException error = null;
        try {
            parsed = JinjaTemplate.parse(source);
        } catch (TemplateException e) {
            error = e; // the model still serves completions; chat requests get the reason
        }
        this.syntaxError = error;
        this.toolCallFormat = ToolCallFormat.detect(source);
        this.renderer = parsed == null ? null
                : new ChatRenderer(parsed, RenderLimits.defaults(), clock);
    }

    /** Reads a {@code --chat-template FILE}; the error names the file. */
    public static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read chat template file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The tool-call format the template writes calls in ({@link ToolCallFormat#detect}), or null. */
    public ToolCallFormat toolCallFormat() {
        return toolCallFormat;
    }

    /** Why the template cannot be used, or null when it parsed. */
    public String syntaxError() {
        return syntaxError == null ? null : syntaxError.getMessage();
    }

    /**
     * Renders messages that carry role, content (a string) and optionally name.
     *
     * @throws ApiException 400 (param "messages") when the template raises or fails
     */
    public String render(List<Map<String, Object>> messages, boolean addGenerationPrompt,
                         String bosToken, String eosToken) {
        ChatInputs inputs;
        try {
            inputs = new ChatInputs(new ArrayList<>(messages), null, null, Map.of(), addGenerationPrompt, false);
        } catch (ChatInputException e) {
            throw ApiException.badRequest(e.param(), e.getMessage());
        }
        return render(inputs, bosToken, eosToken);
    }

    /**
     * Renders a request normalised by {@link ChatInputs#fromOpenAi} (tools, documents,
     * chat_template_kwargs, continue_final_message included).
     *
     * @throws ApiException 400 when the template raises or fails, naming the field at fault
     */
    public String render(ChatInputs inputs, String bosToken, String eosToken) {
        if (syntaxError != null) {
            throw ApiException.badRequest("messages", "the chat template cannot be used: " + syntaxError.getMessage());
        }
        try {
            return renderer.render(inputs, bosToken, eosToken);
        } catch (TemplateException e) {
            String why = e.kind().equals("TemplateError") ? "chat template rejected the messages: " + e.detail()
                    : "chat template failed: " + e.getMessage();
            throw ApiException.badRequest("messages", why);
        } catch (ChatInputException e) {
            throw ApiException.badRequest(e.param(), e.getMessage());
        }
    }
}
