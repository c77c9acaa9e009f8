package dev.gannet.server.backend;

import dev.gannet.runtime.engine.EngineStats;
import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.engine.FinishReason;
import dev.gannet.runtime.engine.RequestHandle;
import dev.gannet.runtime.sampler.TokenLogprobs;
import dev.gannet.runtime.serving.LlmService;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.server.api.BackendStats;
import dev.gannet.server.api.GenerationHandle;
import dev.gannet.server.api.GenerationListener;
import dev.gannet.server.api.GenerationRequest;
import dev.gannet.server.api.GenerationResult;
import dev.gannet.server.api.ModelInfo;
import dev.gannet.server.api.SamplingParams;
import dev.gannet.server.api.ServingBackend;
import dev.gannet.server.api.TokenChunk;
import dev.gannet.server.api.TokenLogprob;
import java.util.Map;

/**
 * The front end's {@link ServingBackend} over the in-process engine ({@link LlmService}). Maps the API's
 * sampling parameters onto the sampler's and turns engine events
 * (engine thread) into token chunks with text and logprobs.
 */
public final class EngineBackend implements ServingBackend {
    private final LlmService service;
    private final Tokenizer tokenizer;
    private final ModelInfo info;

    /** The waiting-queue limit (429) is the server's: it compares {@link #stats()} with its own bound. */
    public EngineBackend(LlmService service, String servedName, String chatTemplate, String device, String sharding) {
        this.service = service;
        this.tokenizer = service.tokenizer();
        this.info = new ModelInfo(servedName, service.maxModelLen(), service.config().vocabSize(), chatTemplate,
                text(tokenizer.bosId()), text(tokenizer.eosId()), device, sharding);
    }

    private String text(int id) {
        return id < 0 ? "" : tokenizer.tokenText(id);
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public ModelInfo modelInfo() {
        return info;
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial) {
        return tokenizer.encode(text, addSpecial, true);
    }

    @Override
    public String detokenize(int[] ids) {
        int vocab = tokenizer.vocabSize();
        for (int id : ids) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        return tokenizer.decode(ids, false, true);
    }

    @Override
    public GenerationHandle submit(GenerationRequest request, GenerationListener listener) {
        int vocab = tokenizer.vocabSize();
        for (int id : request.promptIds()) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        SamplingParams p = request.sampling();
        var params = toRuntime(p, vocab);
        long submitted = System.nanoTime();
        RequestHandle h = service.submit(request.promptIds(), params, p.stop(), 0, new dev.gannet.runtime.serving.GenerationListener() {
            private long scheduled = submitted;
            private long firstToken;

            @Override
            public void onScheduled() {
                scheduled = System.nanoTime();
            }

            @Override
            public void onToken(int tokenId, int index, String text, TokenLogprobs.Snapshot lp) {
                if (index == 0) firstToken = System.nanoTime();
                listener.onTokens(new TokenChunk(new int[] {tokenId}, text, lp == null ? null : new TokenLogprob[] {logprob(lp)}));
            }

            @Override
            public void onFinish(FinishInfo fi, String text, boolean stoppedByString) {
                long end = System.nanoTime();
                if (!text.isEmpty()) listener.onTokens(new TokenChunk(new int[0], text, null));
                long first = firstToken == 0 ? end : firstToken;
                listener.onFinish(new GenerationResult(fi.reason(), fi.promptTokens(), fi.generatedTokens(),
                        fi.reason() == FinishReason.ERROR ? String.valueOf(fi.error()) : null,
                        Math.max(0, scheduled - submitted), Math.max(0, first - scheduled), Math.max(0, end - first)));
            }
        });
        return h::abort;
    }

    private static dev.gannet.runtime.sampler.SamplingParams toRuntime(SamplingParams p, int vocab) {
        var b = dev.gannet.runtime.sampler.SamplingParams.builder()
                .temperature((float) p.temperature()).topP((float) p.topP()).topK(p.topK()).minP((float) p.minP())
                .repetitionPenalty((float) p.repetitionPenalty()).presencePenalty((float) p.presencePenalty())
                .frequencyPenalty((float) p.frequencyPenalty()).seed(p.seed()).logprobs(p.logprobs())
                .maxTokens(p.maxTokens()).minTokens(p.minTokens()).ignoreEos(p.ignoreEos()).stopTokenIds(p.stopTokenIds());
        for (Map.Entry<Integer, Float> e : p.logitBias().entrySet()) {
            if (e.getKey() < 0 || e.getKey() >= vocab) {
                throw new IllegalArgumentException("logit_bias token id " + e.getKey() + " is outside the vocabulary [0, " + vocab + ")");
            }
            b.logitBias(e.getKey(), e.getValue());
        }
        return b.build();
    }

    private TokenLogprob logprob(TokenLogprobs.Snapshot s) {
        String[] top = new String[s.topIds().length];
        for (int i = 0; i < top.length; i++) top[i] = piece(s.topIds()[i]);
        return new TokenLogprob(piece(s.token()), s.logprob(), tokenizer.tokenBytes(s.token()), top, s.topLogprobs());
    }

    /** A token's own text as OpenAI's logprobs show it (a lone byte of a multi-byte character becomes U+FFFD). */
    private String piece(int id) {
        return tokenizer.decode(new int[] {id}, false, true);
    }


    @Override
    public BackendStats stats() {
        EngineStats s = service.stats();
        double usage = s.kvUsableBlocks() == 0 ? 0 : (double) s.kvUsedBlocks() / s.kvUsableBlocks();
        return new BackendStats(s.running(), s.waiting() + (int) Math.min(Integer.MAX_VALUE, service.pendingRequests()),
                Math.min(1, Math.max(0, usage)), s.prefixQueryTokens(), s.prefixHitTokens(), s.preemptions());
    }
}
