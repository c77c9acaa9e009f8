package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gannet.runtime.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** llama.cpp's own tokenizer test vectors (test-tokenizer-0): every string must give exactly its ids. */
class LlamaCppVocabTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    /** A test string and the ids llama.cpp produced for it (without BOS). */
    record Case(int index, String text, int[] ids) {}

    /** Reads .inp/.out as llama.cpp's test does: the separator owns the newlines around it. */
    static List<Case> cases(Path vocab) throws IOException {
        String inp = Files.readString(Path.of(vocab + ".inp"));
        List<String> texts = new ArrayList<>(Arrays.asList(inp.split(Pattern.quote(SEPARATOR), -1)));
        List<String> outs = new ArrayList<>(Arrays.asList(Files.readString(Path.of(vocab + ".out")).split("\n", -1)));
        assertEquals(texts.size(), outs.size(), "strings in .inp vs lines in .out");
        assertEquals("", texts.getLast(), ".inp ends with a separator");
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < texts.size() - 1; i++) {
            String line = outs.get(i).trim();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(i, texts.get(i), ids));
        }
        return cases;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"})
    void encodesEveryTestStringLikeLlamaCpp(String file) throws IOException {
        Path vocab = TestModels.path("tokenizer/" + file);
        Tokenizer tok = Tokenizers.load(vocab);
        List<Case> cases = cases(vocab);
        assertEquals(46, cases.size());
        for (Case c : cases) {
            assertArrayEquals(c.ids(), tok.encode(c.text(), false), () -> file + " case " + c.index() + " " + quote(c.text()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"})
    void decodeInvertsEncodeAndStreamingMatchesBatch(String file) throws IOException {
        Path vocab = TestModels.path("tokenizer/" + file);
        Tokenizer tok = Tokenizers.load(vocab);
        for (Case c : cases(vocab)) {
            for (boolean addBos : new boolean[] {false, true}) {
                int[] ids = tok.encode(c.text(), addBos);
                String batch = tok.decode(ids);
                assertEquals(c.text(), batch, () -> file + " round trip of case " + c.index() + " " + quote(c.text()));
                StreamingDecoder stream = tok.streamingDecoder(true);
                StringBuilder sb = new StringBuilder();
                for (int id : ids) sb.append(stream.accept(id));
                sb.append(stream.flush());
                assertEquals(batch, sb.toString(), () -> file + " streaming case " + c.index());
            }
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
