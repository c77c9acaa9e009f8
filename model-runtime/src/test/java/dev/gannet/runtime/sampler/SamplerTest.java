package dev.gannet.runtime.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final int[] NO_EOS = new int[0];

    private static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) (r.nextGaussian() * 3);
        return l;
    }

    private static int[] run(SamplingParams p, int steps, long logitSeed) {
        int vocab = 1000;
        Sampler s = new Sampler(p, vocab, NO_EOS);
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) out[i] = s.sample(randomLogits(vocab, logitSeed + i), 0, vocab);
        return out;
    }

    @Test
    void greedyIsArgmaxWithTiesToLowestId() {
        float[] l = {0.5f, 3f, -1f, 3f, 2f};
        assertEquals(1, new Sampler(SamplingParams.greedy(4), 5, NO_EOS).sample(l.clone(), 0, 5));
        float[] batch = new float[15];
        System.arraycopy(randomLogits(5, 7), 0, batch, 5, 5);
        int expected = Sampler.argmax(batch, 5, 5);
        assertEquals(expected, new Sampler(SamplingParams.greedy(4), 5, NO_EOS).sample(batch, 5, 5));
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        SamplingParams a = SamplingParams.builder().temperature(1.5f).seed(42L).maxTokens(50).build();
        SamplingParams b = SamplingParams.builder().temperature(1.5f).seed(43L).maxTokens(50).build();
        assertArrayEquals(run(a, 50, 1), run(a, 50, 1));
        assertNotEquals(java.util.Arrays.toString(run(a, 50, 1)), java.util.Arrays.toString(run(b, 50, 1)));
    }

    @Test
    void temperatureOneApproximatesSoftmax() {
        float[] logits = {1f, 2f, 0.5f, -1f};
        double[] p = softmax(logits);
        Sampler s = new Sampler(SamplingParams.builder().temperature(1).seed(7L).maxTokens(1).build(), 4, NO_EOS);
        int draws = 20_000;
        int[] hist = new int[4];
        for (int i = 0; i < draws; i++) hist[s.sample(logits.clone(), 0, 4)]++;
        for (int t = 0; t < 4; t++) {
            double sd = Math.sqrt(draws * p[t] * (1 - p[t]));
            assertTrue(Math.abs(hist[t] - draws * p[t]) < 5 * sd, "token " + t + ": " + hist[t] + " vs " + draws * p[t]);
        }
    }

    @Test
    void truncatedDistributionIsRenormalisedSoftmax() {
        // p = .4 .25 .15 .1 .06 .04: top_k 4 keeps .4 .25 .15 .1 (mass .9); top_p .7 of that (.63)
        // keeps .4 .25 (.65 >= .63); min_p .1 (threshold .04) would keep all six
        float[] logits = logitsOf(0.04, 0.4, 0.06, 0.25, 0.15, 0.1);
        Sampler s = new Sampler(SamplingParams.builder().topK(4).topP(0.7f).minP(0.1f).seed(11L).build(), 6, NO_EOS);
        int draws = 20_000;
        int[] hist = new int[6];
        for (int i = 0; i < draws; i++) hist[s.sample(logits.clone(), 0, 6)]++;
        assertEquals(draws, hist[1] + hist[3]);
        double p1 = 0.4 / 0.65, sd = Math.sqrt(draws * p1 * (1 - p1));
        assertTrue(Math.abs(hist[1] - draws * p1) < 5 * sd, hist[1] + " vs " + draws * p1);
        Sampler noK = new Sampler(SamplingParams.builder().topP(0.7f).seed(11L).build(), 6, NO_EOS);
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (int i = 0; i < 2000; i++) seen.add(noK.sample(logits.clone(), 0, 6));
        assertEquals(java.util.Set.of(1, 3, 4), seen); // .4 + .25 = .65 < .7, so .15 joins
    }

    @Test
    void temperatureSharpens() {
        float[] logits = {1f, 2f, 0.5f, -1f};
        Sampler s = new Sampler(SamplingParams.builder().temperature(0.25f).seed(3L).build(), 4, NO_EOS);
        int top = 0;
        for (int i = 0; i < 2000; i++) if (s.sample(logits.clone(), 0, 4) == 1) top++;
        // p(1) at T=0.25 is exp(4)/(exp(4)+exp(0)+exp(-2)+exp(-8)) = 0.980
        assertTrue(top > 1900 && top < 1990, "top token drawn " + top + " of 2000");
    }

    @Test
    void topKOneAndTinyTopPEqualGreedy() {
        int[] greedy = run(SamplingParams.greedy(30), 30, 11);
        assertArrayEquals(greedy, run(SamplingParams.builder().temperature(2).topK(1).seed(1L).build(), 30, 11));
        assertArrayEquals(greedy, run(SamplingParams.builder().temperature(2).topP(1e-6f).seed(1L).build(), 30, 11));
        assertArrayEquals(greedy, run(SamplingParams.builder().temperature(2).minP(1f).seed(1L).build(), 30, 11));
    }

    @Test
    void topKDrawsOnlyFromTheBestK() {
        float[] logits = randomLogits(1000, 5);
        int[] order = sortedIds(logits);
        java.util.Set<Integer> allowed = java.util.Set.of(order[0], order[1], order[2]);
        Sampler s = new Sampler(SamplingParams.builder().temperature(2).topK(3).seed(9L).build(), 1000, NO_EOS);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 500; i++) seen.add(s.sample(logits.clone(), 0, 1000));
        assertEquals(allowed, seen);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        // probabilities 0.5, 0.3, 0.15, 0.05: top_p 0.75 keeps {0, 1}; top_p 0.85 keeps {0, 1, 2}
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        assertEquals(java.util.Set.of(0, 1), drawSet(SamplingParams.builder().topP(0.75f).seed(1L).build(), logits));
        assertEquals(java.util.Set.of(0, 1, 2), drawSet(SamplingParams.builder().topP(0.85f).seed(1L).build(), logits));
    }

    @Test
    void minPDropsTokensBelowTheFractionOfTheBest() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        // min_p 0.2: threshold 0.1 keeps {0, 1, 2}; 0.5: threshold 0.25 keeps {0, 1}
        assertEquals(java.util.Set.of(0, 1, 2), drawSet(SamplingParams.builder().minP(0.2f).seed(1L).build(), logits));
        assertEquals(java.util.Set.of(0, 1), drawSet(SamplingParams.builder().minP(0.5f).seed(1L).build(), logits));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        SamplingParams p = SamplingParams.builder().temperature(0).repetitionPenalty(2f).build();
        Sampler s = new Sampler(p, 4, NO_EOS);
        s.addPromptTokens(new int[] {0, 1, 9}, 0, 2);
        float[] l = {4f, -1f, 3f, 1f};
        assertEquals(2, s.sample(l, 0, 4));
        assertArrayEquals(new float[] {2f, -2f, 3f, 1f}, l);
        float[] l2 = {4f, -1f, 3f, 1f};
        assertEquals(0, s.sample(l2, 0, 4)); // token 2 was generated, so it is penalised now
        assertArrayEquals(new float[] {2f, -2f, 1.5f, 1f}, l2);
    }

    @Test
    void presenceAndFrequencyPenaltiesCountGeneratedTokensOnly() {
        SamplingParams p = SamplingParams.builder().temperature(0).presencePenalty(0.5f).frequencyPenalty(0.25f).build();
        Sampler s = new Sampler(p, 3, NO_EOS);
        s.addPromptTokens(new int[] {1}, 0, 1); // prompt tokens do not count for these penalties
        float[] l = {5f, 1f, 0f};
        assertEquals(0, s.sample(l, 0, 3));
        assertArrayEquals(new float[] {5f, 1f, 0f}, l);
        assertEquals(0, s.sample(new float[] {5f, 1f, 0f}, 0, 3));
        float[] l3 = {5f, 1f, 0f};
        s.sample(l3, 0, 3); // token 0 generated twice: 5 - 0.5 - 2 * 0.25
        assertEquals(4f, l3[0]);
        assertEquals(1f, l3[1]);
    }

    @Test
    void logitBiasMinus100BansAndPlusBiasPromotes() {
        float[] logits = {10f, 1f, 0f};
        Sampler ban = new Sampler(SamplingParams.builder().temperature(1).logitBias(0, -100f).seed(1L).build(), 3, NO_EOS);
        for (int i = 0; i < 200; i++) assertNotEquals(0, ban.sample(logits.clone(), 0, 3));
        Sampler up = new Sampler(SamplingParams.builder().temperature(0).logitBias(2, 20f).build(), 3, NO_EOS);
        assertEquals(2, up.sample(logits.clone(), 0, 3));
    }

    @Test
    void minTokensBansEosUntilReached() {
        SamplingParams p = SamplingParams.builder().temperature(0).minTokens(2).maxTokens(5).stopTokenIds(3).build();
        Sampler s = new Sampler(p, 4, new int[] {2});
        float[] l = {0f, 1f, 9f, 8f};
        assertEquals(1, s.sample(l.clone(), 0, 4));
        assertEquals(1, s.sample(l.clone(), 0, 4));
        assertEquals(2, s.sample(l.clone(), 0, 4));
    }

    @Test
    void logprobsAreRawLogSoftmaxOfChosenAndTopN() {
        float[] logits = randomLogits(300, 17);
        double[] p = softmax(logits);
        SamplingParams params = SamplingParams.builder().temperature(0.7f).logprobs(5).seed(5L).repetitionPenalty(1.3f).build();
        Sampler s = new Sampler(params, 300, NO_EOS);
        int tok = s.sample(logits.clone(), 0, 300);
        TokenLogprobs lp = s.logprobs();
        assertEquals(tok, lp.token());
        assertEquals(Math.log(p[tok]), lp.logprob(), 1e-4);
        int[] order = sortedIds(logits);
        assertEquals(5, lp.topCount());
        double sum = 0;
        for (int i = 0; i < 5; i++) {
            assertEquals(order[i], lp.topId(i));
            assertEquals(Math.log(p[order[i]]), lp.topLogprob(i), 1e-4);
            sum += Math.exp(lp.topLogprob(i));
        }
        double direct = 0;
        for (int i = 0; i < 5; i++) direct += p[order[i]];
        assertEquals(direct, sum, 1e-5);
        assertEquals(5, lp.snapshot().topIds().length);
        assertEquals(null, new Sampler(SamplingParams.greedy(1), 300, NO_EOS).logprobs());
        Sampler chosenOnly = new Sampler(SamplingParams.builder().temperature(0).logprobs(0).build(), 300, NO_EOS);
        int best = chosenOnly.sample(logits.clone(), 0, 300);
        assertEquals(0, chosenOnly.logprobs().topCount());
        assertEquals(Math.log(p[best]), chosenOnly.logprobs().logprob(), 1e-4);
    }

    @Test
    void largeVocabularyTopPWithoutTopKDoesNotNeedAFullSortToBeRight() {
        int vocab = 128_256;
        float[] logits = randomLogits(vocab, 23);
        SamplingParams p = SamplingParams.builder().temperature(1).topP(0.5f).seed(2L).build();
        Sampler s = new Sampler(p, vocab, NO_EOS);
        double[] probs = softmax(logits);
        int[] order = sortedIds(logits);
        double cum = 0;
        java.util.Set<Integer> nucleus = new java.util.HashSet<>();
        for (int i = 0; cum < 0.5; i++) { cum += probs[order[i]]; nucleus.add(order[i]); }
        for (int i = 0; i < 50; i++) assertTrue(nucleus.contains(s.sample(logits.clone(), 0, vocab)));
    }

    @Test
    void badParametersNameTheField() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().temperature(-1).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topP(0).build());
        assertTrue(e.getMessage().contains("top_p"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().minP(1.5f).build()).getMessage().contains("min_p"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().repetitionPenalty(0).build()).getMessage().contains("repetition_penalty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().presencePenalty(2.5f).build()).getMessage().contains("presence_penalty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().frequencyPenalty(-3).build()).getMessage().contains("frequency_penalty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().logitBias(3, 101).build()).getMessage().contains("logit_bias"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().logprobs(21).build()).getMessage().contains("logprobs"));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().logprobs(-2).build());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().maxTokens(0).build()).getMessage().contains("max_tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topK(-2).build()).getMessage().contains("top_k"));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(SamplingParams.builder().logitBias(10, 1).build(), 5, NO_EOS));
    }

    private static java.util.Set<Integer> drawSet(SamplingParams p, float[] logits) {
        Sampler s = new Sampler(p, logits.length, NO_EOS);
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (int i = 0; i < 2000; i++) seen.add(s.sample(logits.clone(), 0, logits.length));
        return seen;
    }

    private static float[] logitsOf(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) l[i] = (float) Math.log(probs[i]);
        return l;
    }

    private static double[] softmax(float[] l) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : l) max = Math.max(max, v);
        double[] p = new double[l.length];
        for (int i = 0; i < l.length; i++) sum += p[i] = Math.exp(l[i] - max);
        for (int i = 0; i < l.length; i++) p[i] /= sum;
        return p;
    }

    private static int[] sortedIds(float[] l) {
        return java.util.stream.IntStream.range(0, l.length).boxed()
                .sorted((a, b) -> Float.compare(l[b], l[a])).mapToInt(Integer::intValue).toArray();
    }
}
