package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.RopeTable;

/**
 * The decoder forward pass over a ragged batch ({@link ForwardBatch}): one path for prefill, chunked
 * prefill and decode. Activations are token-major f32 buffers allocated once for {@code maxTokens}
 * tokens; each weight is applied with one {@link Kernels#matmul} over all tokens of the step.
 *
 * <pre>
 * x = embed(tokens)
 * for each layer:
 *   h = rmsNorm(x); q, k, v = h Wq (+bq), h Wk (+bk), h Wv (+bv); rope(q, k)
 *   write k, v at slotMapping; a = attention(q, cached K/V through the block tables)
 *   x += a Wo
 *   h = rmsNorm(x); x += (silu(h Wgate) * h Wup) Wdown
 * logits = rmsNorm(x[logitIndices]) Wout
 * </pre>
 *
 * Not thread-safe: one thread (the engine's) calls {@link #forward}. The model, kernels, attention and
 * KV storage are owned by the caller; {@link #close()} releases nothing of theirs.
 */
public final class ForwardPass implements BatchForward {
    private final Model model;
    private final ModelConfig c;
    private final Kernels kernels;
    private final Attention attention;
    private final KvStorage kv;
    private final RopeTable rope;
    private final int maxTokens;
    private final int maxLogits;

    private final float[] x;       // (maxTokens, dim) residual stream
    private final float[] h;       // (maxTokens, dim) normed input / projection output
    private final float[] q;       // (maxTokens, numHeads * headDim)
    private final float[] k;       // (maxTokens, numKvHeads * headDim)
    private final float[] v;       // (maxTokens, numKvHeads * headDim)
    private final float[] att;     // (maxTokens, numHeads * headDim) attention output
    private final float[] gate;    // (maxTokens, ffnDim)
    private final float[] up;      // (maxTokens, ffnDim)
    private final float[] last;    // (maxLogits, dim) rows that need logits
    private final float[] logits;  // (maxLogits, vocab)
    private final int[] tokenSeq;  // (maxTokens) sequence index of each token

    /**
     * @param maxTokens most tokens one batch may hold (sizes the activation buffers)
     * @param maxLogits most logit rows one batch may ask for
     */
    public ForwardPass(Model model, Kernels kernels, Attention attention, KvStorage kv, int maxTokens, int maxLogits) {
        this.model = model;
        this.c = model.config();
        if (kv.numLayers() != c.numLayers() || kv.numKvHeads() != c.numKvHeads() || kv.headDim() != c.headDim()) {
            throw new IllegalArgumentException("KV storage (" + kv.numLayers() + " layers, " + kv.numKvHeads() + " kv heads, head dim "
                    + kv.headDim() + ") does not fit the model " + c);
        }
        if (maxTokens <= 0 || maxLogits <= 0) throw new IllegalArgumentException("maxTokens " + maxTokens + ", maxLogits " + maxLogits);
        this.kernels = kernels;
        this.attention = attention;
        this.kv = kv;
        this.rope = RopeTable.of(c.ropeStyle(), model.ropeInvFreq(), c.contextLength());
        this.maxTokens = maxTokens;
        this.maxLogits = maxLogits;
        x = new float[maxTokens * c.dim()];
        h = new float[maxTokens * c.dim()];
        q = new float[maxTokens * c.qDim()];
        k = new float[maxTokens * c.kvDim()];
        v = new float[maxTokens * c.kvDim()];
        att = new float[maxTokens * c.qDim()];
        gate = new float[maxTokens * c.ffnDim()];
        up = new float[maxTokens * c.ffnDim()];
        last = new float[maxLogits * c.dim()];
        logits = new float[maxLogits * c.vocabSize()];
        tokenSeq = new int[maxTokens];
    }

    public Model model() { return model; }

    public int maxTokens() { return maxTokens; }

    public int maxLogits() { return maxLogits; }

    /**
     * Runs one step: writes the K/V of every token of the batch to its slot and returns the logits of
     * the rows in {@code batch.logitIndices()}, as (numLogits, vocab) f32 at the start of the returned
     * buffer (nothing is written when no rows are asked for). The buffer is reused: it is valid until the
     * next call.
     */
    public float[] forward(ForwardBatch batch) {
        int n = batch.numTokens();
        check(batch);
        for (int s = 0; s < batch.numSeqs(); s++) {
            for (int t = batch.cuSeqlens()[s]; t < batch.cuSeqlens()[s + 1]; t++) tokenSeq[t] = s;
        }
        int dim = c.dim();
        for (int t = 0; t < n; t++) kernels.dequantizeRow(model.tokenEmbedding(), batch.tokens()[t], x, t * dim);
        for (int l = 0; l < c.numLayers(); l++) layer(l, batch);
        int numLogits = batch.numLogits();
        if (numLogits == 0) return logits; // a middle chunk of a prompt: only its K/V were wanted
        for (int i = 0; i < numLogits; i++) System.arraycopy(x, batch.logitIndices()[i] * dim, last, i * dim, dim);
        kernels.rmsNorm(last, model.outputNorm(), last, numLogits, dim, c.rmsEps());
        kernels.matmul(model.output(), last, logits, numLogits);
        return logits;
    }

    private void layer(int l, ForwardBatch batch) {
        LayerWeights w = model.layer(l);
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
        kernels.rope(q, n, c.numHeads(), c.headDim(), batch.positions(), rope);
        kernels.rope(k, n, c.numKvHeads(), c.headDim(), batch.positions(), rope);
        kv.write(l, batch.slotMapping(), k, v, n);
        attention.attend(batch, tokenSeq, q, kv, l, att);
        kernels.matmul(w.wo(), att, h, n);
        addInto(x, h, n * dim);

        kernels.rmsNorm(x, w.ffnNorm(), h, n, dim, c.rmsEps());
        kernels.matmul(w.gate(), h, gate, n);
        kernels.matmul(w.up(), h, up, n);
        kernels.swiglu(gate, up, n, c.ffnDim());
        kernels.matmul(w.down(), gate, h, n);
        addInto(x, h, n * dim);
    }

    private void check(ForwardBatch batch) {
        int n = batch.numTokens();
        if (n > maxTokens) throw new IllegalArgumentException("batch of " + n + " tokens, this forward pass holds at most " + maxTokens);
        if (batch.numLogits() > maxLogits) throw new IllegalArgumentException(batch.numLogits() + " logit rows requested, at most " + maxLogits);
        if (batch.blockSize() != kv.blockSize()) throw new IllegalArgumentException("batch block size " + batch.blockSize() + ", KV storage uses " + kv.blockSize());
        for (int t = 0; t < n; t++) {
            int tok = batch.tokens()[t];
            if (tok >= c.vocabSize()) throw new IllegalArgumentException("token " + t + ": id " + tok + " outside the vocabulary of " + c.vocabSize());
            if (batch.positions()[t] >= c.contextLength()) {
                throw new IllegalArgumentException("token " + t + ": position " + batch.positions()[t] + " beyond the context length " + c.contextLength());
            }
        }
        for (int[] table : batch.blockTables()) {
            for (int b : table) {
                if (b < 0 || b >= kv.numBlocks()) throw new IllegalArgumentException("block id " + b + " outside [0, " + kv.numBlocks() + ")");
            }
        }
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
    public void close() {}
}
