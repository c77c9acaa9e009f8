package dev.gannet.runtime.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenCountsTest {
    @Test
    void countsSurviveGrowthAndMatchAPlainMap() {
        TokenCounts c = new TokenCounts(4);
        Map<Integer, Integer> gen = new HashMap<>();
        Map<Integer, Boolean> prompt = new HashMap<>();
        Random r = new Random(3);
        for (int i = 0; i < 5000; i++) {
            int tok = r.nextInt(128_256);
            if (i % 3 == 0) { c.addPrompt(tok); prompt.put(tok, true); }
            else { c.addGenerated(tok); gen.merge(tok, 1, Integer::sum); }
        }
        int seen = 0;
        for (int s = 0; s < c.capacity(); s++) {
            int tok = c.token(s);
            if (tok < 0) continue;
            seen++;
            assertEquals(gen.getOrDefault(tok, 0), c.generated(s), "token " + tok);
            assertEquals(prompt.getOrDefault(tok, false), c.inPrompt(s), "token " + tok);
        }
        java.util.Set<Integer> all = new java.util.HashSet<>(gen.keySet());
        all.addAll(prompt.keySet());
        assertEquals(all.size(), seen);
        assertEquals(all.size(), c.size());
        for (Map.Entry<Integer, Integer> e : gen.entrySet()) assertEquals(e.getValue(), c.generatedCount(e.getKey()));
        assertTrue(c.capacity() >= 2 * c.size());
    }
}
