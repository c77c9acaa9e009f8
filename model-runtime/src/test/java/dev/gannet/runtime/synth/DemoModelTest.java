package dev.gannet.runtime.synth;

import dev.gannet.runtime.TestStacks;
import dev.gannet.runtime.model.CpuCompute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.Session;
import dev.gannet.runtime.sampler.Sampler;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoModelTest {
    @TempDir Path dir;

    @Test
    void writesOnceDeterministicallyAndIsNotRewritten() throws Exception {
        Path a = DemoModel.ensure(dir.resolve("cache/a/gannet-demo.gguf"), GgmlType.Q8_0);
        Path b = DemoModel.ensure(dir.resolve("cache/b/gannet-demo.gguf"), GgmlType.Q8_0);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        FileTime old = FileTime.fromMillis(1000);
        Files.setLastModifiedTime(a, old);
        DemoModel.ensure(a, GgmlType.Q8_0);
        assertEquals(old, Files.getLastModifiedTime(a));
        try (var files = Files.list(a.getParent())) {
            assertEquals(1, files.count(), "only the model, no temporary file");
        }
        assertEquals("gannet-demo-v1-q8_0.gguf", DemoModel.fileName(GgmlType.Q8_0));
    }

    /** The demo model loads in the project's own loader and tokenizer and generates printable text. */
    @Test
    void loadsAndGeneratesPrintableText() throws Exception {
        Path p = DemoModel.ensure(dir.resolve("gannet-demo.gguf"), GgmlType.F32);
        Tokenizer tok = Tokenizers.load(p);
        assertEquals(BuiltinVocab.baseSize(), tok.vocabSize());
        int[] ids = tok.encode("Hello, world!", true);
        assertEquals(1, ids[0]);
        assertEquals("Hello, world!", tok.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length)).strip());
        try (Model m = ModelLoader.load(p); Session s = TestStacks.session(m, CpuCompute.REFERENCE)) {
            float[] logits = s.prefill(ids);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                int next = Sampler.argmax(logits, 0, m.config().vocabSize());
                assertTrue(BuiltinVocab.printable(next), "generated token " + next + " is not printable");
                text.append(tok.decode(new int[] {next}));
                logits = s.decode(next);
            }
            assertTrue(text.chars().allMatch(c -> c == '\n' || (c >= ' ' && c < 127)), text.toString());
        }
    }
}
