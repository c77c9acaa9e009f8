package dev.gannet.runtime.template;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a conversation into a prompt as Hugging Face's {@code apply_chat_template} does: the template
 * sees {@code messages}, {@code tools}, {@code documents}, {@code add_generation_prompt}, the special
 * tokens the model has ({@code bos_token}, {@code eos_token}; an empty one is left undefined), then the
 * request's {@code chat_template_kwargs}; with {@code continue_final_message} the text after the final
 * message's content (the template's end-of-turn) is cut off so the model continues that message.
 * Thread-safe.
 */
public final class ChatRenderer {
    private final JinjaTemplate template;
    private final RenderLimits limits;
    private final Clock clock;

    public ChatRenderer(JinjaTemplate template, RenderLimits limits, Clock clock) {
        this.template = Objects.requireNonNull(template, "template");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The prompt text.
     *
     * @throws TemplateException  when the template fails or raises
     * @throws ChatInputException when continue_final_message cannot find the final message in the prompt
     */
    public String render(ChatInputs inputs, String bosToken, String eosToken) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", inputs.messages());
        vars.put("tools", inputs.tools());
        vars.put("documents", inputs.documents());
        vars.put("add_generation_prompt", inputs.addGenerationPrompt());
        if (bosToken != null && !bosToken.isEmpty()) vars.put("bos_token", bosToken);
        if (eosToken != null && !eosToken.isEmpty()) vars.put("eos_token", eosToken);
        vars.putAll(inputs.kwargs());
        String text = template.render(vars, limits, clock);
        return inputs.continueFinalMessage() ? continueFinal(text, inputs) : text;
    }

    /** HF's cut: up to the last occurrence of the final message's content, keeping its trailing space if the template did. */
    private static String continueFinal(String text, ChatInputs inputs) {
        Object last = inputs.messages().getLast();
        Object content = last instanceof Map<?, ?> m ? m.get("content") : null;
        if (!(content instanceof String finalMessage)) {
            throw new ChatInputException("continue_final_message", "continue_final_message is set but the final message has no text to continue");
        }
        String stripped = PyStr.strip(finalMessage, null, true, true);
        int at = text.lastIndexOf(stripped);
        if (at < 0) {
            throw new ChatInputException("continue_final_message", "continue_final_message is set but the final message "
                    + "does not appear in the prompt the chat template made (the template changes it)");
        }
        String lstripped = PyStr.strip(finalMessage, null, true, false);
        int end = at + lstripped.length();
        if (end <= text.length() && text.substring(at, end).equals(finalMessage)) return text.substring(0, end);
        return text.substring(0, at + stripped.length());
    }
}
