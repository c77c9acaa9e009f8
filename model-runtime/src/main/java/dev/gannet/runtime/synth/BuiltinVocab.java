package dev.gannet.runtime.synth;

import dev.gannet.runtime.gguf.GgufWriter;
import dev.gannet.runtime.gguf.GgufWriter.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * A small SentencePiece ({@code tokenizer.ggml.model = llama}) vocabulary that needs no download:
 * {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens {@code <0x00>..<0xFF>} (byte
 * fallback, so any text encodes), then {@code ▁} and the printable ASCII characters as normal
 * tokens. Padded with unused tokens {@code <unused_N>} when a shape wants a bigger vocabulary.
 * Carries a plain-text chat template ({@link #CHAT_TEMPLATE}).
 * Laid out like the stories260K vocabulary, so whatever loads that loads this; llama.cpp does too.
 */
public final class BuiltinVocab {
    // llama.cpp token types
    static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, UNUSED = 5, BYTE = 6;
    public static final int UNK = 0, BOS = 1, EOS = 2;
    /** A plain-text chat template ("role: content" lines), so chat endpoints work on the demo model. */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";

    private BuiltinVocab() {}

    /** Whether the token decodes to printable text: {@code ▁}, printable ASCII, or the newline byte. */
    public static boolean printable(int id) {
        return (id >= 259 && id < baseSize()) || id == 3 + '\n';
    }

    /** Size without padding. */
    public static int baseSize() {
        return 3 + 256 + 1 + ('~' - '!' + 1);
    }

    /** Writes the {@code tokenizer.*} keys for a vocabulary of {@code size} tokens (at least {@link #baseSize()}). */
    public static void write(GgufWriter w, int size) {
        if (size < baseSize()) throw new IllegalArgumentException("built-in vocabulary has " + baseSize() + " tokens, cannot shrink to " + size);
        List<String> tokens = new ArrayList<>(size);
        float[] scores = new float[size];
        int[] types = new int[size];
        add(tokens, types, "<unk>", UNKNOWN);
        add(tokens, types, "<s>", CONTROL);
        add(tokens, types, "</s>", CONTROL);
        for (int b = 0; b < 256; b++) add(tokens, types, String.format("<0x%02X>", b), BYTE);
        add(tokens, types, "\u2581", NORMAL);
        for (char c = '!'; c <= '~'; c++) add(tokens, types, String.valueOf(c), NORMAL);
        for (int i = 259; i < tokens.size(); i++) scores[i] = -(i - 259); // earlier pieces win merges
        for (int i = tokens.size(); i < size; i++) add(tokens, types, "<unused_" + (i - baseSize()) + ">", UNUSED);
        w.putString("tokenizer.ggml.model", "llama");
        w.putArray("tokenizer.ggml.tokens", ValueType.STRING, tokens);
        w.putArray("tokenizer.ggml.scores", ValueType.FLOAT32, scores);
        w.putArray("tokenizer.ggml.token_type", ValueType.INT32, types);
        w.putU32("tokenizer.ggml.unknown_token_id", UNK);
        w.putU32("tokenizer.ggml.bos_token_id", BOS);
        w.putU32("tokenizer.ggml.eos_token_id", EOS);
        w.putBool("tokenizer.ggml.add_bos_token", true);
        w.putBool("tokenizer.ggml.add_eos_token", false);
        w.putString("tokenizer.chat_template", CHAT_TEMPLATE);
    }

    private static void add(List<String> tokens, int[] types, String text, int type) {
        types[tokens.size()] = type;
        tokens.add(text);
    }
}
