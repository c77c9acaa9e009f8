package dev.gannet.runtime.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java side of {@code scripts/template-diff.sh}: renders {@code [{"t": template, "ctx": {...}}, ...]} and
 * prints a JSON list of {@code "OK text"} or {@code "ERR Kind: message"}, as {@code scripts/template-diff.py}
 * does with Python's jinja2. Not a test: a tool run by hand.
 */
public final class TemplateDiffMain {
    private TemplateDiffMain() {}

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        for (JsonNode c : json.readTree(Files.readString(Path.of(args[0])))) {
            String r;
            try {
                Map<String, Object> ctx = new LinkedHashMap<>();
                ((Map<?, ?>) PyJson.fromJson(c.get("ctx"))).forEach((k, v) -> ctx.put((String) k, v));
                r = "OK " + JinjaTemplate.parse(c.get("t").asText()).render(ctx, RenderLimits.defaults(), JinjaSemanticsTest.JULY_26);
            } catch (TemplateException e) {
                r = "ERR " + e.kind() + ": " + e.detail();
            }
            out.add(r);
        }
        System.out.println(json.writeValueAsString(out));
    }
}
