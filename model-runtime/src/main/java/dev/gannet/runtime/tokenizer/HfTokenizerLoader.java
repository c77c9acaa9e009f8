package dev.gannet.runtime.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a Hugging Face {@code tokenizer.json} (model type BPE: byte-level like GPT-2/Llama 3/Qwen2,
 * or SentencePiece-converted with byte fallback like Llama 2/Mistral) plus the special-token
 * settings of {@code tokenizer_config.json}. Unsupported components fail with the component named.
 */
final class HfTokenizerLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the normalizer and pre-tokenizer sections amount to. */
    private static final class TextPipeline {
        final List<TextNormalizer.Step> steps = new ArrayList<>();
        final List<String> regexes = new ArrayList<>();
        boolean byteLevel;
    }

    private HfTokenizerLoader() {}

    static Tokenizer load(Path path) throws IOException {
        Path json = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(json)) throw new IOException(json + ": no tokenizer.json");
        JsonNode root = readJson(json);
        Path configPath = json.resolveSibling("tokenizer_config.json");
        JsonNode config = Files.isRegularFile(configPath) ? readJson(configPath) : JSON.createObjectNode();
        try {
            return build(json.toString(), root, config);
        } catch (IllegalArgumentException e) {
            throw new IOException(json + ": " + e.getMessage(), e);
        }
    }

    /** The file as a JSON object, or an error naming the file (Jackson's own messages do not). */
    private static JsonNode readJson(Path file) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        if (node == null || !node.isObject()) throw new IOException(file + ": not a JSON object");
        return node;
    }

    private static Tokenizer build(String source, JsonNode root, JsonNode config) {
        JsonNode model = root.path("model");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) throw new IllegalArgumentException("model.type " + type + " is not supported (supported: BPE)");
        boolean byteFallback = model.path("byte_fallback").asBoolean(false);
        Vocabulary vocab = vocabulary(source, model.path("vocab"), root.path("added_tokens"), byteFallback);

        PairTable merges = merges(model.path("merges"), vocab);
        TextPipeline text = new TextPipeline();
        normalizer(root.path("normalizer"), text);
        preTokenizer(root.path("pre_tokenizer"), text);
        Tokenizer.Kind kind = text.byteLevel ? Tokenizer.Kind.BPE_BYTE_LEVEL : Tokenizer.Kind.BPE_BYTE_FALLBACK;

        List<Integer> template = templateSpecials(root.path("post_processor"));
        int bos = specialId(config, "bos_token", vocab);
        int eos = specialId(config, "eos_token", vocab);
        if (bos < 0 && !template.isEmpty() && template.getFirst() >= 0) bos = template.getFirst();
        boolean addBos = config.has("add_bos_token")
                ? config.get("add_bos_token").asBoolean()
                : !template.isEmpty() && template.getFirst() >= 0 && template.getFirst() == bos;
        boolean addEos = config.path("add_eos_token").asBoolean(false);
        String unkText = model.path("unk_token").asText("");
        int unk = unkText.isEmpty() ? -1 : vocab.id(unkText);
        int pad = specialId(config, "pad_token", vocab);

        PreTokenizer pre = text.regexes.isEmpty() ? PreTokenizer.none() : new PreTokenizer("hf", text.regexes);
        return new Tokenizer(new Tokenizer.Spec(source, kind, vocab, merges, new TextNormalizer(text.steps), pre,
                model.path("ignore_merges").asBoolean(false), addBos, addEos, bos, eos, -1, -1, unk, pad));
    }

    private static Vocabulary vocabulary(String source, JsonNode vocabNode, JsonNode added, boolean byteFallback) {
        if (!vocabNode.isObject()) throw new IllegalArgumentException("model.vocab is missing or not an object");
        // Ids are dense in real files; a few holes are tolerated, but an id far past the number of entries
        // is a lying file and must not size the tables (an id of 2^31 - 1 would allocate 16 GB).
        long maxIds = 2L * (vocabNode.size() + added.size()) + 256;
        int n = 0;
        for (Map.Entry<String, JsonNode> e : vocabNode.properties()) n = Math.max(n, tokenId(e.getValue(), maxIds, "model.vocab entry ", e.getKey()) + 1);
        for (JsonNode a : added) n = Math.max(n, tokenId(a.path("id"), maxIds, "added_tokens entry ", a) + 1);
        String[] texts = new String[n];
        TokenType[] types = new TokenType[n];
        Arrays.fill(types, TokenType.UNUSED);
        for (Map.Entry<String, JsonNode> e : vocabNode.properties()) {
            int id = e.getValue().asInt();
            texts[id] = e.getKey();
            types[id] = byteFallback && Vocabulary.byteTokenValue(e.getKey()) >= 0 ? TokenType.BYTE : TokenType.NORMAL;
        }
        List<int[]> strips = new ArrayList<>();
        for (JsonNode a : added) {
            int id = a.path("id").asInt();
            String content = a.path("content").isTextual() ? a.get("content").asText() : null;
            if (content == null) throw new IllegalArgumentException("added_tokens entry " + a + " lacks content");
            texts[id] = content;
            types[id] = a.path("special").asBoolean(false) ? TokenType.CONTROL : TokenType.USER_DEFINED;
            strips.add(new int[] {id, a.path("lstrip").asBoolean(false) ? 1 : 0, a.path("rstrip").asBoolean(false) ? 1 : 0});
        }
        for (int i = 0; i < n; i++) if (texts[i] == null) texts[i] = "[UNUSED_" + i + "]";
        Vocabulary vocab = new Vocabulary(source, Arrays.asList(texts), new float[n], types);
        for (int[] s : strips) {
            if (s[1] == 1) vocab.lstrip.set(s[0]);
            if (s[2] == 1) vocab.rstrip.set(s[0]);
        }
        return vocab;
    }

    /** A token id: an integer from 0 up to a bound that the file's own size justifies. */
    private static int tokenId(JsonNode id, long maxIds, String section, Object entry) {
        if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
            throw new IllegalArgumentException(section + entry + ": id " + id + " is not a non-negative integer");
        }
        if (id.asInt() >= maxIds) {
            throw new IllegalArgumentException(section + entry + ": id " + id.asInt() + " is far past the " + (maxIds - 256) / 2
                    + " tokens the file lists");
        }
        return id.asInt();
    }

    private static PairTable merges(JsonNode merges, Vocabulary vocab) {
        if (!merges.isArray()) throw new IllegalArgumentException("model.merges is missing or not an array");
        PairTable table = new PairTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            JsonNode m = merges.get(rank);
            String left, right;
            if (m.isArray() && m.size() == 2) { // newer format: ["a", "b"]
                left = m.get(0).asText();
                right = m.get(1).asText();
            } else {
                String line = m.asText();
                int sp = line.indexOf(' ', 1);
                if (sp < 0) throw new IllegalArgumentException("model.merges[" + rank + "] '" + line + "' has no space");
                left = line.substring(0, sp);
                right = line.substring(sp + 1);
            }
            Tokenizers.addMerge(table, vocab, left, right, rank);
        }
        return table;
    }

    private static void normalizer(JsonNode n, TextPipeline out) {
        if (n.isMissingNode() || n.isNull()) return;
        String type = n.path("type").asText();
        switch (type) {
            case "Sequence" -> n.path("normalizers").forEach(c -> normalizer(c, out));
            case "Prepend" -> out.steps.add(new TextNormalizer.Prepend(n.path("prepend").asText(), false));
            case "Replace" -> {
                JsonNode p = n.path("pattern");
                if (!p.has("String")) throw new IllegalArgumentException("normalizer Replace with pattern " + p + " (only String patterns are supported)");
                out.steps.add(new TextNormalizer.Replace(p.get("String").asText(), n.path("content").asText()));
            }
            case "NFC", "NFD", "NFKC", "NFKD" -> out.steps.add(new TextNormalizer.UnicodeForm(Normalizer.Form.valueOf(type)));
            default -> throw new IllegalArgumentException("normalizer " + type
                    + " is not supported (supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD)");
        }
    }

    private static void preTokenizer(JsonNode n, TextPipeline out) {
        if (n.isMissingNode() || n.isNull()) return;
        String type = n.path("type").asText();
        switch (type) {
            case "Sequence" -> n.path("pretokenizers").forEach(c -> preTokenizer(c, out));
            case "Split" -> {
                String behavior = n.path("behavior").asText("Isolated");
                if (!behavior.equals("Isolated") || n.path("invert").asBoolean(false)) {
                    throw new IllegalArgumentException("pre_tokenizer Split with behavior " + behavior
                            + (n.path("invert").asBoolean(false) ? " inverted" : "") + " (only Isolated is supported)");
                }
                JsonNode p = n.path("pattern");
                out.regexes.add(p.has("Regex") ? p.get("Regex").asText() : Pattern.quote(p.path("String").asText()));
            }
            case "ByteLevel" -> {
                if (n.path("add_prefix_space").asBoolean(false)) {
                    throw new IllegalArgumentException("pre_tokenizer ByteLevel with add_prefix_space is not supported");
                }
                out.byteLevel = true;
                if (n.path("use_regex").asBoolean(true)) out.regexes.add(PreTokenizer.GPT2);
            }
            case "Digits" -> out.regexes.add(n.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+");
            case "Metaspace" -> metaspace(n, out);
            default -> throw new IllegalArgumentException("pre_tokenizer " + type
                    + " is not supported (supported: Sequence, Split, ByteLevel, Digits, Metaspace)");
        }
    }

    private static void metaspace(JsonNode n, TextPipeline out) {
        String mark = n.path("replacement").asText(TextNormalizer.SPACE_MARK);
        String scheme = n.has("prepend_scheme") ? n.get("prepend_scheme").asText()
                : n.path("add_prefix_space").asBoolean(true) ? "always" : "never";
        out.steps.add(new TextNormalizer.Replace(" ", mark));
        switch (scheme) {
            case "always" -> out.steps.add(new TextNormalizer.Prepend(mark, false));
            case "first" -> out.steps.add(new TextNormalizer.Prepend(mark, true));
            case "never" -> { }
            default -> throw new IllegalArgumentException("Metaspace prepend_scheme " + scheme + " (supported: always, first, never)");
        }
        if (n.path("split").asBoolean(true)) {
            if (mark.codePointCount(0, mark.length()) != 1) {
                throw new IllegalArgumentException("Metaspace replacement '" + mark + "' is not one character");
            }
            // split before every mark, the mark staying with the text after it
            String m = String.format("\\x{%x}", mark.codePointAt(0));
            out.regexes.add(m + "?[^" + m + "]+|" + m);
        }
    }

    /** Ids of the special tokens in the single-sequence template, in order, or empty. */
    private static List<Integer> templateSpecials(JsonNode post) {
        List<Integer> ids = new ArrayList<>();
        if (!post.path("type").asText().equals("TemplateProcessing")) return ids;
        JsonNode specials = post.path("special_tokens");
        for (JsonNode piece : post.path("single")) {
            if (piece.has("SpecialToken")) {
                JsonNode ids0 = specials.path(piece.get("SpecialToken").path("id").asText()).path("ids");
                ids.add(ids0.isArray() && !ids0.isEmpty() ? ids0.get(0).asInt() : -1);
            } else if (ids.isEmpty()) {
                ids.add(-1); // sequence first: no BOS
            }
        }
        return ids;
    }

    /** A special token named in tokenizer_config.json (a string or {"content": ...}), or -1. */
    private static int specialId(JsonNode config, String key, Vocabulary vocab) {
        JsonNode v = config.path(key);
        String text = v.isTextual() ? v.asText() : v.path("content").asText(null);
        return text == null ? -1 : vocab.id(text);
    }
}
