package dev.gannet.runtime.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny Qwen2-style byte-level tokenizer.json: the 256 byte characters, merges that build
 * "hello", ChatML markers as special added tokens and a user-defined {@code <tool>} with rstrip.
 */
final class ChatMlFixture {
    private ChatMlFixture() {}

    static Path write(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevel.charOf(b)), b);
        String[][] merges = {{"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}};
        ArrayNode m = model.putArray("merges");
        int id = 256;
        for (String[] pair : merges) {
            vocab.put(pair[0] + pair[1], id++);
            m.add(pair[0] + " " + pair[1]);
        }
        ArrayNode added = root.putArray("added_tokens");
        addToken(added, id++, "<|im_start|>", true, false);
        addToken(added, id++, "<|im_end|>", true, false);
        addToken(added, id, "<tool>", false, true);
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        ObjectNode split = pres.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PreTokenizer.QWEN2.replace("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])",
                "(?i:'s|'t|'re|'ve|'m|'ll|'d)"));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode byteLevel = pres.addObject();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("use_regex", false);
        Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(root));
        ObjectNode config = json.createObjectNode();
        config.put("eos_token", "<|im_end|>");
        config.put("add_bos_token", false);
        Files.writeString(dir.resolve("tokenizer_config.json"), json.writeValueAsString(config));
        return dir;
    }

    private static void addToken(ArrayNode added, int id, String content, boolean special, boolean rstrip) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("special", special);
        t.put("lstrip", false);
        t.put("rstrip", rstrip);
        t.put("normalized", false);
    }
}
