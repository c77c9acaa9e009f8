package dev.gannet.runtime.serving;

import dev.gannet.runtime.engine.ModelRunner;
import dev.gannet.runtime.engine.SchedulerOutput;
import dev.gannet.runtime.engine.StepResult;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.BatchForward;
import dev.gannet.runtime.sampler.Sampler;
import dev.gannet.runtime.sampler.SamplerWorkspace;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.sampler.TokenLogprobs;
import java.util.HashMap;
import java.util.Map;

/**
 * The engine's {@link ModelRunner} over the real forward pass: turns a scheduled step into a
 * {@link ForwardBatch}, runs it, and samples one token per logits row with that request's own
 * {@link Sampler} (created on its first sampled step, dropped on {@link #release}). A row with a
 * structured-output constraint is sampled under the mask of the tokens its matcher allows, which a
 * {@link MaskFiller} fills on its own thread while the forward pass runs (into masks reused from step to
 * step: no allocation per token). Engine thread only, but for that hand-over.
 */
final class ForwardRunner implements ModelRunner {
    private final BatchForward forward;
    private final int vocab;
    private final int[] eosIds;
    private final SamplerWorkspace workspace;
    private final Map<Long, Sampler> samplers = new HashMap<>();
    private MaskFiller maskFiller; // started with the first constrained step

    ForwardRunner(BatchForward forward, int[] eosIds) {
        this.forward = forward;
        this.vocab = forward.model().config().vocabSize();
        this.eosIds = eosIds.clone();
        this.workspace = new SamplerWorkspace(vocab);
    }

    @Override
    public StepResult run(SchedulerOutput o) {
        ForwardBatch batch = new ForwardBatch(o.tokens(), o.positions(), o.cuSeqlens(), o.contextLens(), o.blockTables(),
                o.blockSize(), o.slotMapping(), o.logitIndices());
        // Prompts enter the samplers' penalty counts before sampling, even for rows sampled later.
        int[][] newPrompts = o.newPrompts();
        for (int row = 0; row < newPrompts.length; row++) {
            if (newPrompts[row] != null) {
                samplerFor(o.requestIds()[row], o.samplingParams()[row]).addPromptTokens(newPrompts[row], 0, newPrompts[row].length);
            }
        }
        boolean constrained = o.constraints() != null;
        if (constrained) {
            if (maskFiller == null) maskFiller = new MaskFiller();
            maskFiller.start(o); // the masks fill while the forward pass runs
        }
        float[] logits;
        try {
            logits = forward.forward(batch);
        } finally {
            if (constrained) maskFiller.await();
        }
        int[] rows = o.logitRows();
        int[] out = new int[rows.length];
        TokenLogprobs.Snapshot[] logprobs = null;
        for (int j = 0; j < rows.length; j++) {
            long id = o.requestIds()[rows[j]];
            Sampler s = samplerFor(id, o.samplingParams()[rows[j]]);
            long[] mask = o.constraint(rows[j]) == null ? null : maskFiller.mask(j);
            out[j] = s.sample(logits, j * vocab, vocab, mask);
            if (s.logprobs() != null) {
                if (logprobs == null) logprobs = new TokenLogprobs.Snapshot[rows.length];
                logprobs[j] = s.logprobs().snapshot();
            }
        }
        return new StepResult(out, logprobs);
    }

    /** Stops the mask thread, if one was started. */
    void close() {
        if (maskFiller != null) maskFiller.close();
    }

    @Override
    public void release(long requestId) {
        samplers.remove(requestId);
    }

    private Sampler samplerFor(long id, SamplingParams params) {
        Sampler s = samplers.get(id);
        if (s == null) {
            s = new Sampler(params, vocab, eosIds, workspace);
            samplers.put(id, s);
        }
        return s;
    }
}
