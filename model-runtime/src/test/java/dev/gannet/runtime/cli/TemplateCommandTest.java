package dev.gannet.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gannet template render} prints exactly the prompt Hugging Face renders, for the whole shared corpus. */
class TemplateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    record Run(int code, String out, String err) { }

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = TemplateCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Path corpus() {
        Path d = TestModels.dir().resolveSibling("chat-templates");
        if (!Files.isRegularFile(d.resolve("cases.jsonl"))) throw new AssertionError("chat template corpus missing: " + d);
        return d;
    }

    @Test
    void rendersEveryCorpusCaseAsTheReference() throws Exception {
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(corpus().resolve("cases.jsonl"))) {
            if (line.isBlank()) continue;
            JsonNode c = JSON.readTree(line);
            ObjectNode req = ((ObjectNode) c.get("request")).deepCopy();
            req.put("add_generation_prompt", c.path("add_generation_prompt").asBoolean(true));
            Path reqFile = Files.writeString(dir.resolve("req" + n++ + ".json"), JSON.writeValueAsString(req));
            Run r = run("render", "--template", corpus().resolve("templates").resolve(c.get("template").asText()).toString(),
                    "--request", reqFile.toString(), "--bos-token", c.get("bos_token").asText(),
                    "--eos-token", c.get("eos_token").asText(), "--date", "2024-07-26");
            String name = c.get("template").asText() + " / " + c.get("case").asText();
            boolean ok = c.has("expected") ? r.code() == 0 && r.out().equals(c.get("expected").asText())
                    : r.code() == 2 && r.err().contains(c.get("expected_error").asText()) && r.out().isEmpty();
            if (!ok) wrong.add(name + ": exit " + r.code() + " " + r.err());
        }
        assertEquals(81, n);
        assertEquals(List.of(), wrong);
    }

    @Test
    void takesTheModelsTemplateAndTokens() throws Exception {
        Path req = Files.writeString(dir.resolve("r.json"),
                "{\"messages\": [{\"role\": \"system\", \"content\": \"You are terse.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]}");
        Run r = run("render", "--model", TestModels.path("tiny-qwen2-hf-bf16").toString(), "--request", req.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", r.out());
    }

    @Test
    void problemsAreOneLineAndExitTwo() throws Exception {
        Path req = Files.writeString(dir.resolve("r.json"), "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}]}");
        Path gemma = corpus().resolve("templates").resolve("google-gemma-2-2b-it.jinja");
        for (Run r : List.of(run("render", "--request", req.toString()),
                run("render", "--template", gemma.toString(), "--request", req.toString()),
                run("render", "--template", gemma.toString(), "--request", dir.resolve("missing.json").toString()),
                run("render", "--model", TestModels.path("stories260K.gguf").toString(), "--request", req.toString()),
                run("render", "--template", Files.writeString(dir.resolve("bad.jinja"), "{% if %}").toString(), "--request", req.toString()))) {
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        Run r = run("render", "--template", gemma.toString(), "--request", req.toString());
        assertTrue(r.err().contains("TemplateError: System role not supported"), r.err());
    }
}
