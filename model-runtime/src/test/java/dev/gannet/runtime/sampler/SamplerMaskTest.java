package dev.gannet.runtime.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sampling under a structured-output mask: only allowed tokens, with the model's odds renormalised over them. */
class SamplerMaskTest {
    private static final int[] NO_EOS = new int[0];

    private static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) (r.nextGaussian() * 2);
        return l;
    }

    private static long[] mask(int vocab, int... allowed) {
        long[] m = new long[(vocab + 63) >>> 6];
        for (int id : allowed) m[id >>> 6] |= 1L << id;
        return m;
    }

    /** softmax(logits) restricted to {@code allowed} and renormalised. */
    private static double[] renormalised(float[] logits, int[] allowed) {
        double[] p = new double[logits.length];
        double sum = 0;
        for (int id : allowed) sum += Math.exp(logits[id]);
        for (int id : allowed) p[id] = Math.exp(logits[id]) / sum;
        return p;
    }

    /** Few allowed tokens (weighed alone) and most of them (the whole row weighed, the rest zeroed), with and without top-p. */
    @ParameterizedTest
    @CsvSource({"sparse, 1.0", "dense, 1.0", "sparse, 0.999999", "dense, 0.999999"})
    void drawsFollowTheRenormalisedDistributionOfTheAllowedTokens(String kind, float topP) {
        int vocab = 200;
        float[] logits = randomLogits(vocab, 3);
        int[] allowed = kind.equals("sparse") ? new int[] {0, 63, 64, 65, 130, 199} // across word borders, the last id
                : java.util.stream.IntStream.range(0, vocab).filter(i -> i % 7 != 3).toArray();
        double[] p = renormalised(logits, allowed);
        Sampler s = new Sampler(SamplingParams.builder().temperature(1).topP(topP).seed(7L).build(), vocab, NO_EOS);
        int draws = 20_000;
        int[] hist = new int[vocab];
        long[] m = mask(vocab, allowed);
        for (int i = 0; i < draws; i++) hist[s.sample(logits.clone(), 0, vocab, m)]++;
        int total = 0;
        for (int id : allowed) {
            double sd = Math.sqrt(draws * p[id] * (1 - p[id]));
            assertTrue(Math.abs(hist[id] - draws * p[id]) < 5 * sd + 1, "token " + id + ": " + hist[id] + " vs " + draws * p[id]);
            total += hist[id];
        }
        assertEquals(draws, total, "only allowed tokens are drawn");
    }

    @Test
    void truncationAndGreedyWorkOnTheAllowedTokensOnly() {
        int vocab = 1000;
        for (long seed = 0; seed < 50; seed++) {
            float[] logits = randomLogits(vocab, seed);
            int[] allowed = {(int) (seed * 7 % vocab), (int) (seed * 13 % vocab + 1), 999};
            long[] m = mask(vocab, allowed);
            int best = allowed[0];
            for (int id : allowed) if (logits[id] > logits[best]) best = id;
            assertEquals(best, new Sampler(SamplingParams.greedy(4), vocab, NO_EOS).sample(logits.clone(), 0, vocab, m));
            for (SamplingParams p : new SamplingParams[] {
                    SamplingParams.builder().temperature(1.3f).topP(0.5f).seed(seed).build(),
                    SamplingParams.builder().temperature(0.8f).minP(0.2f).seed(seed).build(),
                    SamplingParams.builder().temperature(1f).topK(2).seed(seed).build(),
                    SamplingParams.builder().temperature(1f).topK(50).seed(seed).build(), // more than the allowed
                    SamplingParams.builder().temperature(2f).seed(seed).build()}) {
                int t = new Sampler(p, vocab, NO_EOS).sample(logits.clone(), 0, vocab, m);
                assertTrue(t == allowed[0] || t == allowed[1] || t == allowed[2], p + " drew " + t);
            }
        }
    }

    @Test
    void logprobsAreOfTheMaskedDistribution() {
        int vocab = 300;
        float[] logits = randomLogits(vocab, 11);
        int[] allowed = {5, 17, 200, 201};
        double[] p = renormalised(logits, allowed);
        Sampler s = new Sampler(SamplingParams.builder().temperature(0.7f).logprobs(10).seed(1L).build(), vocab, NO_EOS);
        int tok = s.sample(logits.clone(), 0, vocab, mask(vocab, allowed));
        TokenLogprobs lp = s.logprobs();
        assertEquals(Math.log(p[tok]), lp.logprob(), 1e-4);
        assertEquals(allowed.length, lp.topCount(), "masked tokens are not alternatives");
        double mass = 0;
        for (int i = 0; i < lp.topCount(); i++) {
            assertEquals(Math.log(p[lp.topId(i)]), lp.topLogprob(i), 1e-4);
            mass += Math.exp(lp.topLogprob(i));
        }
        assertEquals(1.0, mass, 1e-5);
    }

    @Test
    void idsBeyondTheMaskWordsAreNotAllowed() {
        int vocab = 130;
        float[] logits = new float[vocab];
        logits[129] = 50; // by far the best, but outside a one-word mask
        long[] oneWord = {1L << 3};
        assertEquals(3, new Sampler(SamplingParams.greedy(1), vocab, NO_EOS).sample(logits.clone(), 0, vocab, oneWord));
        assertEquals(3, new Sampler(SamplingParams.builder().temperature(1).seed(2L).build(), vocab, NO_EOS)
                .sample(logits.clone(), 0, vocab, oneWord));
    }

    /** A constraint that can only end now wins over min_tokens' ban on the end-of-generation token. */
    @Test
    void minTokensYieldsWhenTheMaskAllowsOnlyBannedTokens() {
        SamplingParams p = SamplingParams.builder().temperature(1).seed(4L).minTokens(5).build();
        float[] logits = {0f, 1f, 2f, 3f};
        Sampler onlyEos = new Sampler(p, 4, new int[] {2});
        assertEquals(2, onlyEos.sample(logits.clone(), 0, 4, mask(4, 2)));
        Sampler eosOrOther = new Sampler(p, 4, new int[] {2});
        for (int i = 0; i < 4; i++) assertEquals(0, eosOrOther.sample(logits.clone(), 0, 4, mask(4, 0, 2)), "the ban holds");
    }
}
