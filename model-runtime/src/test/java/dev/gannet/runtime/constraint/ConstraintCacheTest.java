package dev.gannet.runtime.constraint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The compiled-constraint cache, sharing one constraint between threads, and the allocation-free hot path. */
class ConstraintCacheTest {

    @Test
    void sameSpecGivesTheSameConstraint() {
        ConstraintCache cache = new ConstraintCache(ConstraintTests.BYTES, 64L << 20);
        Constraint a = cache.get(ConstraintSpec.regex("[a-z]+"));
        assertSame(a, cache.get(ConstraintSpec.regex("[a-z]+")));
        assertNotSame(a, cache.get(ConstraintSpec.regex("[a-z]*")));
        assertNotSame(a, cache.get(new ConstraintSpec(ConstraintKind.GRAMMAR, "root ::= [a-z]+")));
        assertEquals(3, cache.size());
    }

    @Test
    void errorsPropagateAndAreNotCached() {
        ConstraintCache cache = new ConstraintCache(ConstraintTests.BYTES, 64L << 20);
        ConstraintException e = assertThrows(ConstraintException.class,
                () -> cache.get(ConstraintSpec.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{}}}}")));
        assertEquals("/properties/a/not", e.pointer());
        assertEquals(0, cache.size());
    }

    @Test
    void weightBoundsTheCache() {
        Constraint one = ConstraintTests.bytes(ConstraintTests.schema("01-person"));
        long weight = one.estimatedBytes();
        ConstraintCache cache = new ConstraintCache(ConstraintTests.BYTES, weight * 3);
        for (int i = 0; i < 10; i++) {
            cache.get(ConstraintSpec.jsonSchema(ConstraintTests.schema("01-person").text() + " ".repeat(i)));
        }
        assertTrue(cache.size() <= 3, "cache holds " + cache.size());
    }

    /** Matchers of one shared constraint on several threads see exactly what one thread sees. */
    @Test
    void sharedConstraintIsThreadSafe() throws Exception {
        TokenVocabulary llama = ConstraintTests.vocabulary(ConstraintVocabularyTest.LLAMA);
        ConstraintSpec spec = ConstraintSpec.jsonObject();
        List<String> expected = new ArrayList<>();
        Constraint alone = ConstraintCompiler.compile(spec, llama);
        for (int t = 0; t < 4; t++) expected.add(ConstraintTests.randomWalk(alone, new Random(t), 60).text());
        Constraint shared = ConstraintCompiler.compile(spec, llama);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> got = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                got.add(pool.submit(() -> ConstraintTests.randomWalk(shared, new Random(seed), 60).text()));
            }
            for (int t = 0; t < 4; t++) assertEquals(expected.get(t), got.get(t).get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** On a warm constraint without calls, accepting a token and filling the next mask allocate nothing. */
    @Test
    void warmAcceptAndMaskAllocateNothing() {
        TokenVocabulary llama = ConstraintTests.vocabulary(ConstraintVocabularyTest.LLAMA);
        Constraint c = ConstraintCompiler.compile(ConstraintTests.schema("06-numbers"), llama);
        var tok = ConstraintVocabularyTest.tokenizer(ConstraintVocabularyTest.LLAMA);
        int[] ids = dev.gannet.runtime.constraint.bench.ConstraintMaskBench.tokensWithoutLeadingSpace(tok,
                "{\"lat\": 12.5, \"lon\": -3.25, \"count\": 35, \"ratio\": 0.5, \"offset\": -20}");
        ConstraintMatcher m = c.newState();
        long[] mask = new long[llama.maskWords()];
        for (int round = 0; round < 3; round++) { // warm the caches and the JIT
            for (int id : ids) {
                assertTrue(m.accept(id), tok.tokenText(id));
                m.fillMask(mask);
            }
            m.rollback(m.tokensAccepted());
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        threads.getThreadAllocatedBytes(id);
        long before = threads.getThreadAllocatedBytes(id);
        for (int t : ids) {
            m.accept(t);
            m.fillMask(mask);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(m.canTerminate());
        assertEquals(0, allocated, "bytes allocated over " + ids.length + " tokens");
        long[] again = mask.clone();
        m.fillMask(mask);
        assertArrayEquals(again, mask);
    }
}
