package dev.gannet.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.serving.ChatTemplates;
import dev.gannet.runtime.template.ChatInputs;
import dev.gannet.runtime.template.ChatRenderer;
import dev.gannet.runtime.template.JinjaTemplate;
import dev.gannet.runtime.template.RenderLimits;
import dev.gannet.runtime.template.TemplateException;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gannet template render}: the prompt a chat request becomes, exactly as the server renders it
 * (and as Hugging Face's apply_chat_template does), printed as it is with no newline added.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Print the prompt an OpenAI chat request (messages, tools, documents, chat_template_kwargs, "
                + "add_generation_prompt, continue_final_message) renders to with the model's chat template.")
final class TemplateRenderCommand extends CliCommand {
    @Option(names = "--model", description = "a .gguf file or a Hugging Face folder: its chat template and BOS/EOS tokens")
    Path model;

    @Option(names = "--request", required = true, description = "a JSON file with the chat request")
    Path request;

    @Option(names = "--template", description = "render this Jinja file instead of the model's template")
    Path template;

    @Option(names = "--bos-token", description = "bos_token for the template (default: the model's)")
    String bosToken;

    @Option(names = "--eos-token", description = "eos_token for the template (default: the model's)")
    String eosToken;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "render as on this day (what strftime_now sees; default: now)")
    LocalDate date;

    @Override
    int run(PrintWriter out, PrintWriter err) throws IOException {
        if (model == null && template == null) throw new IllegalArgumentException("give --model, --template or both");
        if (model != null && !Files.exists(model)) throw new IOException(model + ": no such file or folder");
        String source = template != null ? Files.readString(template) : ChatTemplates.find(model).orElseThrow(
                () -> new IllegalArgumentException(model + " has no chat template: give one with --template FILE"));
        JsonNode req = new ObjectMapper().readTree(Files.readString(request));
        if (req == null || !req.isObject()) throw new IllegalArgumentException(request + ": not a JSON object");
        ChatInputs inputs = ChatInputs.fromOpenAi(req.get("messages"), req.get("tools"), req.get("documents"),
                req.get("chat_template_kwargs"), req.path("add_generation_prompt").asBoolean(true),
                req.path("continue_final_message").asBoolean(false));
        String bos = bosToken, eos = eosToken;
        if (model != null && (bos == null || eos == null)) {
            Tokenizer tok = Tokenizers.load(model);
            if (bos == null) bos = tok.bosId() < 0 ? "" : tok.tokenText(tok.bosId());
            if (eos == null) eos = tok.eosId() < 0 ? "" : tok.tokenText(tok.eosId());
        }
        try {
            JinjaTemplate t = JinjaTemplate.parse(source);
            Clock clock = date == null ? Clock.systemDefaultZone()
                    : Clock.fixed(date.atStartOfDay(ZoneId.systemDefault()).toInstant(), ZoneId.systemDefault());
            out.print(new ChatRenderer(t, RenderLimits.defaults(), clock).render(inputs, bos, eos));
        } catch (TemplateException e) {
            throw new IllegalArgumentException("the chat template fails: " + e.getMessage(), e);
        }
        return 0;
    }
}
