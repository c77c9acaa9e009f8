package dev.gannet.runtime.serving;

import dev.gannet.runtime.constraint.ConstraintMatcher;
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
 * structured-output constraint is sampled under the mask of the tokens its matcher allows, filled into
 * scratch that lives as long as the runner (no allocation per token). Engine thread only.
 */
final class ForwardRunner implements ModelRunner {
    private final BatchForward forward;
    private final int vocab;
    private final int[] eosIds;
    private final SamplerWorkspace workspace;
    private final Map<Long, Sampler> samplers = new HashMap<>();
    private long[][] masks = new long[0][]; // (sampled rows)(mask words) allowed-token bits of this step's rows
    private int maskWords = -1;

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
        float[] logits = forward.forward(batch);
        int[] rows = o.logitRows();
        if (o.constraints() != null) fillMasks(o, rows);
        int[] out = new int[rows.length];
        TokenLogprobs.Snapshot[] logprobs = null;
        for (int j = 0; j < rows.length; j++) {
            long id = o.requestIds()[rows[j]];
            Sampler s = samplerFor(id, o.samplingParams()[rows[j]]);
            long[] mask = o.constraint(rows[j]) == null ? null : masks[j];
            out[j] = s.sample(logits, j * vocab, vocab, mask);
            if (s.logprobs() != null) {
                if (logprobs == null) logprobs = new TokenLogprobs.Snapshot[rows.length];
                logprobs[j] = s.logprobs().snapshot();
            }
        }
        return new StepResult(out, logprobs);
    }

    /** The allowed-token mask of each constrained sampled row, into {@code masks[j]}. */
    private void fillMasks(SchedulerOutput o, int[] rows) {
        if (masks.length < rows.length) {
            long[][] grown = new long[Math.max(rows.length, 2 * masks.length)][];
            System.arraycopy(masks, 0, grown, 0, masks.length);
            masks = grown;
        }
        for (int j = 0; j < rows.length; j++) {
            ConstraintMatcher m = o.constraint(rows[j]);
            if (m == null) continue;
            if (maskWords < 0) maskWords = m.constraint().vocabulary().maskWords();
            if (masks[j] == null) masks[j] = new long[maskWords];
            m.fillMask(masks[j]);
        }
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
