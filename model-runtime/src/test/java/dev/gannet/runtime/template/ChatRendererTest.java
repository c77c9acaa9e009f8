package dev.gannet.runtime.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What apply_chat_template passes to a template, and continue_final_message's cut. */
class ChatRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String render(String template, String messages, String tools, String kwargs, boolean agp, boolean cont,
                                 String bos, String eos, Clock clock) throws Exception {
        ChatInputs in = ChatInputs.fromOpenAi(JSON.readTree(messages), tools == null ? null : JSON.readTree(tools), null,
                kwargs == null ? null : JSON.readTree(kwargs), agp, cont);
        return new ChatRenderer(JinjaTemplate.parse(template), RenderLimits.defaults(), clock).render(in, bos, eos);
    }

    private static String corpusTemplate(String name) throws Exception {
        return Files.readString(ChatTemplateCorpusTest.corpus().resolve("templates").resolve(name));
    }

    @Test
    void theTemplateSeesWhatHuggingFacePasses() throws Exception {
        String t = "{{ messages|length }}|{{ tools is none }}|{{ documents is none }}|{{ add_generation_prompt }}"
                + "|{{ bos_token is defined }}|{{ eos_token }}|{{ enable_thinking }}";
        assertEquals("1|True|True|True|False|</s>|False",
                render(t, "[{\"role\": \"user\", \"content\": \"x\"}]", null, "{\"enable_thinking\": false}", true, false,
                        "", "</s>", ChatTemplateCorpusTest.CORPUS_DATE));
        assertEquals("<B>", render("{{ bos_token }}", "[]", null, "{\"bos_token\": \"<B>\"}", false, false, "<s>", "",
                ChatTemplateCorpusTest.CORPUS_DATE), "kwargs come last, as HF merges them");
    }

    @Test
    void continueFinalMessageCutsTheTurnsEnd() throws Exception {
        String conv = "[{\"role\": \"user\", \"content\": \"Write\"}, {\"role\": \"assistant\", \"content\": \"Roses are red, \"}]";
        // expected values from Hugging Face's apply_chat_template(continue_final_message=True)
        String qwen = render(corpusTemplate("Qwen-Qwen2.5-7B-Instruct.jinja"), conv, null, null, false, true, "", "<|im_end|>",
                ChatTemplateCorpusTest.CORPUS_DATE);
        assertTrue(qwen.endsWith("<|im_start|>assistant\nRoses are red, "), qwen);
        String gemma = render(corpusTemplate("google-gemma-2-2b-it.jinja"), conv, null, null, false, true, "<bos>", "<eos>",
                ChatTemplateCorpusTest.CORPUS_DATE);
        assertTrue(gemma.endsWith("<start_of_turn>model\nRoses are red,"), "gemma trims the content: " + gemma);
        ChatInputException e = assertThrows(ChatInputException.class, () -> render("{{ messages[0].content }}", conv, null,
                null, false, true, "", "", ChatTemplateCorpusTest.CORPUS_DATE));
        assertEquals("continue_final_message", e.param());
    }

    @Test
    void strftimeNowReadsTheGivenClock() throws Exception {
        Clock jan2 = Clock.fixed(LocalDate.of(2025, 1, 2).atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        String out = render(corpusTemplate("meta-llama-Llama-3.2-3B-Instruct.jinja"), "[{\"role\": \"user\", \"content\": \"x\"}]",
                null, null, true, false, "<|begin_of_text|>", "<|eot_id|>", jan2);
        assertTrue(out.contains("Today Date: 02 Jan 2025\n"), out);
    }

    @Test
    void toolsReachTheTemplate() throws Exception {
        String out = render(corpusTemplate("mistralai-Mistral-Nemo-Instruct-2407.jinja"), "[{\"role\": \"user\", \"content\": \"x\"}]",
                "[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"description\": \"d\", \"parameters\": {}}}]",
                null, true, false, "<s>", "</s>", ChatTemplateCorpusTest.CORPUS_DATE);
        assertEquals("<s>[AVAILABLE_TOOLS][{\"type\": \"function\", \"function\": {\"name\": \"f\", \"description\": \"d\", "
                + "\"parameters\": {}}}][/AVAILABLE_TOOLS][INST]x[/INST]", out);
    }
}
