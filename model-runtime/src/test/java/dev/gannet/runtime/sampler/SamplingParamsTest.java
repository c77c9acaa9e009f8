package dev.gannet.runtime.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The one sampling record's range checks: each violation names the API field. */
class SamplingParamsTest {

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of("temperature", (UnaryOperator<SamplingParams.Builder>) b -> b.temperature(-0.1f)),
                Arguments.of("temperature", (UnaryOperator<SamplingParams.Builder>) b -> b.temperature(2.5f)),
                Arguments.of("temperature", (UnaryOperator<SamplingParams.Builder>) b -> b.temperature(Float.NaN)),
                Arguments.of("top_p", (UnaryOperator<SamplingParams.Builder>) b -> b.topP(0)),
                Arguments.of("top_p", (UnaryOperator<SamplingParams.Builder>) b -> b.topP(1.01f)),
                Arguments.of("top_k", (UnaryOperator<SamplingParams.Builder>) b -> b.topK(-2)),
                Arguments.of("min_p", (UnaryOperator<SamplingParams.Builder>) b -> b.minP(1.5f)),
                Arguments.of("repetition_penalty", (UnaryOperator<SamplingParams.Builder>) b -> b.repetitionPenalty(0)),
                Arguments.of("repetition_penalty", (UnaryOperator<SamplingParams.Builder>) b -> b.repetitionPenalty(Float.POSITIVE_INFINITY)),
                Arguments.of("presence_penalty", (UnaryOperator<SamplingParams.Builder>) b -> b.presencePenalty(2.5f)),
                Arguments.of("frequency_penalty", (UnaryOperator<SamplingParams.Builder>) b -> b.frequencyPenalty(-3)),
                Arguments.of("logit_bias", (UnaryOperator<SamplingParams.Builder>) b -> b.logitBias(3, 101)),
                Arguments.of("logit_bias", (UnaryOperator<SamplingParams.Builder>) b -> b.logitBias(-1, 1)),
                Arguments.of("logprobs", (UnaryOperator<SamplingParams.Builder>) b -> b.logprobs(21)),
                Arguments.of("max_tokens", (UnaryOperator<SamplingParams.Builder>) b -> b.maxTokens(0)),
                Arguments.of("min_tokens", (UnaryOperator<SamplingParams.Builder>) b -> b.maxTokens(4).minTokens(5)),
                Arguments.of("min_tokens", (UnaryOperator<SamplingParams.Builder>) b -> b.minTokens(-1)),
                Arguments.of("stop_token_ids", (UnaryOperator<SamplingParams.Builder>) b -> b.stopTokenIds(3, -4)),
                Arguments.of("stop", (UnaryOperator<SamplingParams.Builder>) b -> b.stop(List.of(""))),
                Arguments.of("stop", (UnaryOperator<SamplingParams.Builder>) b -> b.stop(List.of("x".repeat(1001)))),
                Arguments.of("stop", (UnaryOperator<SamplingParams.Builder>) b -> b.stop(java.util.Collections.nCopies(17, "s"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void eachViolationNamesItsField(String field, UnaryOperator<SamplingParams.Builder> bad) {
        ParameterException e = assertThrows(ParameterException.class, () -> bad.apply(SamplingParams.builder()).build());
        assertEquals(field, e.param(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    }

    @Test
    void topKZeroMeansOffAndDefaultsAreUnconstrained() {
        SamplingParams p = SamplingParams.builder().topK(0).build();
        assertEquals(-1, p.topK());
        assertTrue(p.unlimited());
        assertEquals(1f, p.temperature());
        assertEquals(List.of(), p.stop());
    }

    @Test
    void vocabularyChecksNameTheirField() {
        SamplingParams p = SamplingParams.builder().logitBias(500, 1).build();
        assertEquals("logit_bias", assertThrows(ParameterException.class, () -> p.checkVocabulary(500)).param());
        p.checkVocabulary(501);
        SamplingParams q = SamplingParams.builder().stopTokenIds(9).build();
        assertEquals("stop_token_ids", assertThrows(ParameterException.class, () -> q.checkVocabulary(9)).param());
    }

    @Test
    void copiesKeepEveryOtherValue() {
        SamplingParams p = SamplingParams.builder().temperature(0.7f).topP(0.9f).topK(40).minP(0.05f).repetitionPenalty(1.1f)
                .presencePenalty(0.5f).frequencyPenalty(-0.5f).logitBias(3, -100).seed(7L).logprobs(2).maxTokens(30)
                .minTokens(3).ignoreEos(true).stopTokenIds(9, 10).stop(List.of("\n\n")).build();
        assertEquals(p, p.toBuilder().build());
        SamplingParams q = p.withSeed(8L).withMaxTokens(12);
        assertEquals(8L, q.seed());
        assertEquals(12, q.maxTokens());
        assertEquals(p.withSeed(8L).withMaxTokens(30), p.withSeed(8L));
    }
}
