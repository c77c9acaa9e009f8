package dev.gannet.runtime.parallel;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.RopeTable;
import dev.gannet.runtime.model.Attention;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.LayerWeights;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.tensor.WeightMatrix;

/**
 * One rank's share of the decoder forward pass: the same steps as {@code ForwardPass}, on this rank's
 * heads and FFN columns, with the two all-reduces per layer and a gather of the vocabulary-split logits
 * to rank 0. The residual stream x is replicated: every rank adds the same all-reduced sums, so x stays
 * identical on all ranks. Runs on its rank's thread only; owns its kernels, attention and KV shard.
 */
final class RankForward implements AutoCloseable {
    private final Communicator comm;
    private final ShardingPlan plan;
    private final ModelConfig c;
    private final Model model;
    private final LayerWeights[] layers; // this rank's shards, views of the checkpoint
    private final WeightMatrix lmHead;   // (vocabRows(rank), dim)
    private final Kernels kernels;
    private final Attention attention;
    private final KvStorage kv;          // (layers, blocks, blockSize, kvHeadsPerRank, headDim) f32
    private final RopeTable rope;
    private final int heads;
    private final int kvHeads;
    private final int qLocal;            // headsPerRank * headDim
    private final int kvLocal;           // kvHeadsPerRank * headDim
    private final int ffnLocal;

    private final float[] x;        // (maxTokens, dim) residual stream, replicated
    private final float[] h;        // (maxTokens, dim) normed input / partial sum to all-reduce
    private final float[] q;        // (maxTokens, qLocal)
    private final float[] k;        // (maxTokens, kvLocal)
    private final float[] v;        // (maxTokens, kvLocal)
    private final float[] att;      // (maxTokens, qLocal)
    private final float[] gate;     // (maxTokens, ffnLocal)
    private final float[] up;       // (maxTokens, ffnLocal)
    private final float[] last;     // (maxLogits, dim)
    private final float[] logits;   // (maxLogits, vocabRows(rank)) this rank's slice of the logits, packed
    private final int[] tokenSeq;   // (maxTokens)

    RankForward(Model model, ShardingPlan plan, Communicator comm, Compute compute, int threads,
                int numBlocks, int blockSize, int maxTokens, int maxLogits) {
        this.comm = comm;
        this.plan = plan;
        this.model = model;
        this.c = model.config();
        int rank = comm.rank();
        this.layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) layers[l] = plan.shard(model.layer(l), rank);
        this.lmHead = plan.lmHead(model.output(), rank);
        this.heads = plan.headsPerRank();
        this.kvHeads = plan.kvHeadsPerRank();
        this.qLocal = heads * c.headDim();
        this.kvLocal = kvHeads * c.headDim();
        this.ffnLocal = plan.ffnPerRank();
        this.rope = RopeTable.of(c.ropeStyle(), model.ropeInvFreq(), c.contextLength());
        this.kv = new KvStorage(c.numLayers(), numBlocks, blockSize, kvHeads, c.headDim(), KvStorage.Precision.F32);
        Kernels kern = null;
        try {
            kern = compute.kernels(threads);
            this.attention = compute.attention(heads, kvHeads, c.headDim(), c.contextLength(), threads);
        } catch (RuntimeException | Error e) {
            if (kern != null) kern.close();
            kv.close();
            throw e;
        }
        this.kernels = kern;
        int dim = c.dim();
        x = new float[maxTokens * dim];
        h = new float[maxTokens * dim];
        q = new float[maxTokens * qLocal];
        k = new float[maxTokens * kvLocal];
        v = new float[maxTokens * kvLocal];
        att = new float[maxTokens * qLocal];
        gate = new float[maxTokens * ffnLocal];
        up = new float[maxTokens * ffnLocal];
        last = new float[maxLogits * dim];
        logits = new float[maxLogits * plan.vocabPerRank()];
        tokenSeq = new int[maxTokens];
    }

    KvStorage kv() { return kv; }

    /**
     * Runs one step. On the root rank {@code gathered} receives every rank's logits slice, rank after rank:
     * rank q's (numLogits, vocabRows(q)) at q * numLogits * vocabPerRank; other ranks pass null.
     */
    void run(ForwardBatch batch, float[] gathered) {
        int n = batch.numTokens();
        int dim = c.dim();
        for (int s = 0; s < batch.numSeqs(); s++) {
            for (int t = batch.cuSeqlens()[s]; t < batch.cuSeqlens()[s + 1]; t++) tokenSeq[t] = s;
        }
        for (int t = 0; t < n; t++) kernels.dequantizeRow(model.tokenEmbedding(), batch.tokens()[t], x, t * dim);
        for (int l = 0; l < layers.length; l++) layer(l, batch);
        int numLogits = batch.numLogits();
        if (numLogits == 0) return; // a middle chunk of a prompt: only its K/V were wanted (same on every rank)
        for (int i = 0; i < numLogits; i++) System.arraycopy(x, batch.logitIndices()[i] * dim, last, i * dim, dim);
        kernels.rmsNorm(last, model.outputNorm(), last, numLogits, dim, c.rmsEps());
        kernels.matmul(lmHead, last, logits, numLogits);
        comm.gather(logits, 0, numLogits * plan.vocabPerRank(), gathered, 0, 0);
    }

    private void layer(int l, ForwardBatch batch) {
        LayerWeights w = layers[l];
        int n = batch.numTokens();
        int dim = c.dim();
        kernels.rmsNorm(x, w.attnNorm(), h, n, dim, c.rmsEps());
        kernels.matmul(w.wq(), h, q, n);
        kernels.matmul(w.wk(), h, k, n);
        kernels.matmul(w.wv(), h, v, n);
        if (w.bq() != null) {
            addRows(q, w.bq(), n);
            addRows(k, w.bk(), n);
            addRows(v, w.bv(), n);
        }
        kernels.rope(q, n, heads, c.headDim(), batch.positions(), rope);
        kernels.rope(k, n, kvHeads, c.headDim(), batch.positions(), rope);
        kv.write(l, batch.slotMapping(), k, v, n);
        attention.attend(batch, tokenSeq, q, kv, l, att);
        kernels.matmul(w.wo(), att, h, n);  // partial sum over this rank's heads
        comm.allReduce(h, 0, n * dim);      // all-reduce #1
        addInto(x, h, n * dim);

        kernels.rmsNorm(x, w.ffnNorm(), h, n, dim, c.rmsEps());
        kernels.matmul(w.gate(), h, gate, n);
        kernels.matmul(w.up(), h, up, n);
        kernels.swiglu(gate, up, n, ffnLocal);
        kernels.matmul(w.down(), gate, h, n); // partial sum over this rank's FFN columns
        comm.allReduce(h, 0, n * dim);        // all-reduce #2
        addInto(x, h, n * dim);
    }

    /** a (n, bias.length) += bias per row. */
    private static void addRows(float[] a, float[] bias, int n) {
        int w = bias.length;
        for (int t = 0; t < n; t++) {
            int o = t * w;
            for (int i = 0; i < w; i++) a[o + i] += bias[i];
        }
    }

    private static void addInto(float[] a, float[] b, int len) {
        for (int i = 0; i < len; i++) a[i] += b[i];
    }

    @Override
    public void close() {
        try {
            attention.close();
            kernels.close();
        } finally {
            kv.close();
        }
    }
}
