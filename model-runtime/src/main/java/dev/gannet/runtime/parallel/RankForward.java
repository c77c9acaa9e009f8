package dev.gannet.runtime.parallel;

import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.CpuForward;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.ForwardPass;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.LayerWeights;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * One rank's share of the decoder forward pass: the one {@link ForwardPass}, over this rank's slice of
 * the model (its heads, KV heads, FFN columns and vocabulary rows), with the communicator's all-reduce
 * after the row-parallel wo and down projections, then a gather of the vocabulary-split logits to rank 0.
 * The residual stream is replicated: every rank adds the same all-reduced sums, so it stays identical on
 * all ranks. Runs on its rank's thread only; owns its compute stack ({@link CpuForward}: kernels, attention, KV
 * shard), built the same way as the whole model's.
 */
final class RankForward implements AutoCloseable {
    private final Communicator comm;
    private final ShardingPlan plan;
    private final CpuForward pass;      // KV: (layers, blocks, blockSize, kvHeadsPerRank, headDim)
    private final float[] padded;        // (maxLogits, vocabPerRank): the last rank may own fewer vocabulary rows
    private final int rows;              // vocabulary rows this rank owns
    private long collectiveNanos;        // time inside all-reduce and gather, waiting for slower ranks included

    RankForward(Model model, ShardingPlan plan, Communicator comm, CpuCompute compute, int threads,
                int numBlocks, int blockSize, int maxTokens, int maxLogits, KvStorage.Precision kvPrecision) {
        this.comm = comm;
        this.plan = plan;
        ModelConfig c = model.config();
        int rank = comm.rank();
        List<LayerWeights> layers = new ArrayList<>(c.numLayers());
        for (int l = 0; l < c.numLayers(); l++) layers.add(plan.shard(model.layer(l), rank)); // views, no copies
        ForwardPass.Slice slice = new ForwardPass.Slice(layers, plan.lmHead(model.output(), rank),
                plan.headsPerRank(), plan.kvHeadsPerRank(), plan.ffnPerRank());
        this.pass = CpuForward.create(model, slice, new TimedCollectives(), compute, threads, numBlocks, blockSize,
                kvPrecision, maxTokens, maxLogits);
        this.rows = slice.lmHead().rows();
        this.padded = new float[maxLogits * plan.vocabPerRank()];
    }

    KvStorage kv() { return pass.kv(); }

    /** Nanoseconds this rank has spent in collectives so far; read by its own thread or after a step. */
    long collectiveNanos() { return collectiveNanos; }

    /** The communicator as the forward pass sees it, timing every collective. */
    private final class TimedCollectives implements ForwardPass.Collectives {
        @Override
        public int rank() { return comm.rank(); }

        @Override
        public int size() { return comm.size(); }

        @Override
        public void allReduce(float[] buf, int offset, int length) {
            long t0 = System.nanoTime();
            comm.allReduce(buf, offset, length);
            collectiveNanos += System.nanoTime() - t0;
        }

        @Override
        public void allGather(float[] src, int srcOff, int len, float[] dst, int dstOff) {
            long t0 = System.nanoTime();
            comm.allGather(src, srcOff, len, dst, dstOff);
            collectiveNanos += System.nanoTime() - t0;
        }
    }

    /**
     * Runs one step. On the root rank {@code gathered} receives every rank's logits slice, rank after rank:
     * rank q's (numLogits, vocabRows(q)) at q * numLogits * vocabPerRank; other ranks pass null.
     */
    void run(ForwardBatch batch, float[] gathered) {
        float[] local = pass.forward(batch);
        int numLogits = batch.numLogits();
        if (numLogits == 0) return; // a middle chunk of a prompt: only its K/V were wanted (same on every rank)
        System.arraycopy(local, 0, padded, 0, numLogits * rows); // packed (numLogits, rows), as before the gather
        long t0 = System.nanoTime();
        comm.gather(padded, 0, numLogits * plan.vocabPerRank(), gathered, 0, 0);
        collectiveNanos += System.nanoTime() - t0;
    }

    @Override
    public void close() {
        pass.close();
    }
}
