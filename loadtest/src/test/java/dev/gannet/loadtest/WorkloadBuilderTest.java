package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadBuilderTest {

    /** A tokenizer that adds a BOS and splits "everything" into two tokens, so fitting has work to do. */
    static final TokenCounter BOS_COUNTER = new TokenCounter() {
        @Override
        public int count(String text) {
            int n = 1;
            for (String w : text.strip().split("\\s+")) {
                n += w.isEmpty() ? 0 : w.length() > 7 ? 2 : 1;
            }
            return n;
        }

        @Override
        public String method() {
            return "test";
        }

        @Override
        public boolean exact() {
            return true;
        }
    };

    private static WorkloadBuilder builder(Endpoint e, int requests, String prompt, String max, int prefix, int turns) {
        return new WorkloadBuilder(new WorkloadBuilder.Spec(e, requests, LengthSpec.parse(prompt),
                LengthSpec.parse(max), prefix, turns, null), new TextSynth(BOS_COUNTER));
    }

    @Test
    void promptsHaveTheExactTokenCount() {
        TextSynth synth = new TextSynth(BOS_COUNTER);
        WorkloadBuilder b = new WorkloadBuilder(new WorkloadBuilder.Spec(Endpoint.COMPLETIONS, 20,
                LengthSpec.parse("uniform:5-300"), LengthSpec.fixed(16), 0, 1, null), synth);
        for (PlannedRequest r : b.build(1)) {
            assertEquals(r.promptTokens(), BOS_COUNTER.count(r.prompt()));
            assertTrue(r.promptTokens() >= 5 && r.promptTokens() <= 300, "length " + r.promptTokens());
            assertEquals(16, r.maxTokens());
        }
        assertEquals(20, synth.fits());
        assertEquals(20, synth.exactFits());
    }

    @Test
    void theSameSeedGivesTheSameWorkload() {
        WorkloadBuilder b = builder(Endpoint.COMPLETIONS, 10, "normal:64,16", "uniform:8-32", 0, 1);
        assertEquals(b.build(5), b.build(5));
        assertNotEquals(b.build(5), b.build(6));
    }

    @Test
    void sharedPrefixIsCommonToAllRequests() {
        List<PlannedRequest> chat = builder(Endpoint.CHAT, 8, "20", "4", 100, 1).build(3);
        String system = chat.getFirst().messages().getFirst().content();
        assertEquals(100, BOS_COUNTER.count(system));
        for (PlannedRequest r : chat) {
            assertEquals(ChatMessage.system(system), r.messages().getFirst());
            assertEquals("user", r.messages().get(1).role());
            assertEquals(120, r.promptTokens());
        }
        List<PlannedRequest> completions = builder(Endpoint.COMPLETIONS, 8, "20", "4", 100, 1).build(3);
        String prefix = completions.getFirst().prompt().split("\n\n")[0];
        for (PlannedRequest r : completions) {
            assertTrue(r.prompt().startsWith(prefix + "\n\n"));
            assertEquals(120, BOS_COUNTER.count(r.prompt()), "the whole prompt is fitted");
        }
    }

    @Test
    void multiTurnConversationsGrowTurnByTurn() {
        List<PlannedRequest> reqs = builder(Endpoint.CHAT, 7, "10", "5", 0, 3).build(9);
        assertEquals(7, reqs.size());
        assertEquals(List.of(0, 0, 0, 1, 1, 1, 2), reqs.stream().map(PlannedRequest::conversation).toList());
        PlannedRequest t0 = reqs.get(0);
        PlannedRequest t1 = reqs.get(1);
        PlannedRequest t2 = reqs.get(2);
        assertEquals(1, t0.messages().size());
        assertEquals(3, t1.messages().size());
        assertEquals(5, t2.messages().size());
        assertEquals(t1.messages().subList(0, 3), t2.messages().subList(0, 3), "a turn repeats the earlier turns");
        assertEquals(t0.messages().getFirst(), t1.messages().getFirst());
        assertEquals("assistant", t1.messages().get(1).role());
        assertEquals(5, t1.messages().get(1).content().split(" ").length, "synthetic reply of max-tokens words");
        List<PlannedRequest> text = builder(Endpoint.COMPLETIONS, 2, "10", "5", 0, 2).build(9);
        assertTrue(text.get(1).prompt().startsWith("User: " + text.get(0).prompt() + "\n\nAssistant: "));
        assertTrue(text.get(1).prompt().endsWith("\n\nAssistant:"));
    }

    @Test
    void datasetPromptsAreUsed(@TempDir Path dir) throws Exception {
        Path jsonl = dir.resolve("p.jsonl");
        Files.writeString(jsonl, """
                {"prompt": "tell me a story", "max_tokens": 7}
                {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]}
                """);
        List<Dataset.Entry> entries = Dataset.load(jsonl, new ObjectMapper());
        assertEquals(2, entries.size());
        WorkloadBuilder b = new WorkloadBuilder(new WorkloadBuilder.Spec(Endpoint.CHAT, 4, LengthSpec.fixed(9),
                LengthSpec.fixed(3), 0, 1, entries), new TextSynth(BOS_COUNTER));
        List<PlannedRequest> reqs = b.build(1);
        assertEquals(4, reqs.size());
        for (PlannedRequest r : reqs) {
            List<ChatMessage> m = r.messages();
            if (m.size() == 1) {
                assertEquals(ChatMessage.user("tell me a story"), m.getFirst());
                assertEquals(7, r.maxTokens(), "max_tokens from the dataset line");
            } else {
                assertEquals(List.of(ChatMessage.system("be brief"), ChatMessage.user("hi")), m);
                assertEquals(3, r.maxTokens());
            }
        }
    }

    @Test
    void textDatasetsSplitByParagraphOrLine(@TempDir Path dir) throws Exception {
        Path lines = dir.resolve("lines.txt");
        Files.writeString(lines, "first prompt\nsecond prompt\n\n");
        assertEquals(List.of("first prompt", "second prompt"),
                Dataset.load(lines, new ObjectMapper()).stream().map(Dataset.Entry::prompt).toList());
        Path paras = dir.resolve("paras.txt");
        Files.writeString(paras, "one\nstill one\n\n\ntwo\n");
        List<Dataset.Entry> p = Dataset.load(paras, new ObjectMapper());
        assertEquals(List.of("one\nstill one", "two"), p.stream().map(Dataset.Entry::prompt).toList());
        assertNull(p.getFirst().maxTokens());
    }

    @Test
    void badDatasetLinesNameTheFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"ok\"}\n{\"text\": \"no prompt\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.load(bad, new ObjectMapper()));
        assertTrue(e.getMessage().contains("bad.jsonl:2"), e.getMessage());
    }

    @Test
    void lengthSpecsParseAndSample() {
        SplittableRandom rnd = new SplittableRandom(1);
        assertEquals(256, LengthSpec.parse("256").sample(rnd));
        LengthSpec u = LengthSpec.parse("uniform:64-512");
        LengthSpec n = LengthSpec.parse("normal:256,64");
        double sum = 0;
        for (int i = 0; i < 4000; i++) {
            int v = u.sample(rnd);
            assertTrue(v >= 64 && v <= 512);
            sum += n.sample(rnd);
        }
        assertEquals(256, sum / 4000, 6);
        assertEquals("uniform:64-512", u.toString());
        assertEquals("normal:256,64", n.toString());
        assertThrows(IllegalArgumentException.class, () -> LengthSpec.parse("uniform:9-3"));
        assertThrows(IllegalArgumentException.class, () -> LengthSpec.parse("lots"));
        assertThrows(IllegalArgumentException.class, () -> LengthSpec.parse("0"));
    }
}
