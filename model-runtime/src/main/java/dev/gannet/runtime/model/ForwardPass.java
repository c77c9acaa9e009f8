package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.RopeTable;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 * Under tensor parallelism each rank runs one of these over its {@link Slice} of the model, and the
 * {@link AllReduce} after wo and down sums the ranks' partial outputs; there is no second forward path.
 *
 * Not thread-safe: one thread (the engine's, or a rank's) calls {@link #forward}. The model, kernels, attention and
 * KV storage are owned by the caller; {@link #close()} releases nothing of theirs.
 */
public final class ForwardPass implements BatchForward {
    /**
     * What this pass computes: the whole model, or one tensor-parallel rank's shard of it.
     *
     * @param layers  per layer: Q/K/V/gate/up with this slice's output rows, wo/down with its input columns
     * @param lmHead  (vocabRows, dim): all of the vocabulary, or this rank's rows of it
     * @param heads   query heads computed here
     * @param kvHeads KV heads stored and read here
     * @param ffn     FFN width computed here
     */
    public record Slice(List<LayerWeights> layers, WeightMatrix lmHead, int heads, int kvHeads, int ffn) {
        public Slice {
            layers = List.copyOf(layers);
            if (heads <= 0 || kvHeads <= 0 || ffn <= 0 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("slice of " + heads + " heads, " + kvHeads + " KV heads, FFN " + ffn);
            }
        }

        /** The whole model: tensor parallelism of one. */
        public static Slice whole(Model m) {
            ModelConfig c = m.config();
            List<LayerWeights> ls = new ArrayList<>(c.numLayers());
            for (int l = 0; l < c.numLayers(); l++) ls.add(m.layer(l));
            return new Slice(ls, m.output(), c.numHeads(), c.numKvHeads(), c.ffnDim());
        }
    }

    /** The collectives a tensor-parallel rank needs; absent (null) when the pass computes the whole model. */
    public interface Collectives {
        int rank();

        int size();

        /** Sums buf[offset, offset + length) across ranks in place, in a fixed rank order. */
        void allReduce(float[] buf, int offset, int length);

        /** dst (ranks, len) rank-major = every rank's src[srcOff, srcOff + len). */
        void allGather(float[] src, int srcOff, int len, float[] dst, int dstOff);
    }

    private final Model model;
    private final ModelConfig c;
    private final Slice slice;
    private final Collectives coll;      // null: the whole model, nothing to reduce
    private final float[] gathered;      // (ranks, maxTokens, local width) when a row-parallel weight stays whole, else null
    private final float[] full;          // (maxTokens, full width) the same, token-major
    private final Kernels kernels;
    private final Attention attention;
    private final KvStorage kv;
    private final RopeTable rope;
    private final int maxTokens;
    private final int maxLogits;

    private final float[] x;       // (maxTokens, dim) residual stream
    private final float[] h;       // (maxTokens, dim) normed input / projection output
    private final float[] q;       // (maxTokens, slice heads * headDim)
    private final float[] k;       // (maxTokens, slice kvHeads * headDim)
    private final float[] v;       // (maxTokens, slice kvHeads * headDim)
    private final float[] att;     // (maxTokens, slice heads * headDim) attention output
    private final float[] gate;    // (maxTokens, slice ffn)
    private final float[] up;      // (maxTokens, slice ffn)
    private final float[] last;    // (maxLogits, dim) rows that need logits
    private final float[] logits;  // (maxLogits, lmHead rows): all of the vocabulary, or this slice's rows
    private final int[] tokenSeq;  // (maxTokens) sequence index of each token

    /**
     * The whole model on one set of threads.
     *
     * @param maxTokens most tokens one batch may hold (sizes the activation buffers)
     * @param maxLogits most logit rows one batch may ask for
     */
    public ForwardPass(Model model, Kernels kernels, Attention attention, KvStorage kv, int maxTokens, int maxLogits) {
        this(model, Slice.whole(model), null, kernels, attention, kv, maxTokens, maxLogits);
    }

    /**
     * One slice of the model (a tensor-parallel rank): {@code coll} all-reduces the partial outputs of the
     * row-parallel wo and down projections across ranks; {@link #forward} then returns this slice's logits rows.
     * A wo or down that the slice holds whole (its quant blocks span ranks) is applied by rank 0 to the
     * all-gathered input instead.
     */
    public ForwardPass(Model model, Slice slice, Collectives coll, Kernels kernels, Attention attention, KvStorage kv,
                       int maxTokens, int maxLogits) {
        this.model = model;
        this.c = model.config();
        this.slice = slice;
        this.coll = coll;
        if (kv.numLayers() != c.numLayers() || kv.numKvHeads() != slice.kvHeads() || kv.headDim() != c.headDim()) {
            throw new IllegalArgumentException("KV storage (" + kv.numLayers() + " layers, " + kv.numKvHeads() + " kv heads, head dim "
                    + kv.headDim() + ") does not fit the model " + c + " sliced to " + slice.kvHeads() + " KV heads");
        }
        if (maxTokens <= 0 || maxLogits <= 0) throw new IllegalArgumentException("maxTokens " + maxTokens + ", maxLogits " + maxLogits);
        this.kernels = kernels;
        this.attention = attention;
        this.kv = kv;
        this.rope = RopeTable.of(c.ropeStyle(), model.ropeInvFreq(), c.contextLength());
        this.maxTokens = maxTokens;
        this.maxLogits = maxLogits;
        int qDim = slice.heads() * c.headDim();
        int kvDim = slice.kvHeads() * c.headDim();
        x = new float[maxTokens * c.dim()];
        h = new float[maxTokens * c.dim()];
        q = new float[maxTokens * qDim];
        k = new float[maxTokens * kvDim];
        v = new float[maxTokens * kvDim];
        att = new float[maxTokens * qDim];
        gate = new float[maxTokens * slice.ffn()];
        up = new float[maxTokens * slice.ffn()];
        last = new float[maxLogits * c.dim()];
        logits = new float[maxLogits * slice.lmHead().rows()];
        tokenSeq = new int[maxTokens];
        int wholeWidth = 0;
        for (LayerWeights w : slice.layers()) {
            if (w.wo().cols() != qDim) wholeWidth = Math.max(wholeWidth, w.wo().cols());
            if (w.down().cols() != slice.ffn()) wholeWidth = Math.max(wholeWidth, w.down().cols());
        }
        if (wholeWidth > 0 && coll == null) throw new IllegalArgumentException("a whole row-parallel weight needs collectives");
        gathered = wholeWidth == 0 ? null : new float[maxTokens * wholeWidth];
        full = wholeWidth == 0 ? null : new float[maxTokens * wholeWidth];
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
        kernels.matmul(slice.lmHead(), last, logits, numLogits);
        return logits;
    }

    private void layer(int l, ForwardBatch batch) {
        LayerWeights w = slice.layers().get(l);
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
        kernels.rope(q, n, slice.heads(), c.headDim(), batch.positions(), rope);
        kernels.rope(k, n, slice.kvHeads(), c.headDim(), batch.positions(), rope);
        kv.write(l, batch.slotMapping(), k, v, n);
        attention.attend(batch, tokenSeq, q, kv, l, att);
        rowParallel(w.wo(), att, slice.heads() * c.headDim(), n); // h = att Wo, summed over ranks
        addInto(x, h, n * dim);

        kernels.rmsNorm(x, w.ffnNorm(), h, n, dim, c.rmsEps());
        kernels.matmul(w.gate(), h, gate, n);
        kernels.matmul(w.up(), h, up, n);
        kernels.swiglu(gate, up, n, slice.ffn());
        rowParallel(w.down(), gate, slice.ffn(), n);             // h = gate Wdown, summed over ranks
        addInto(x, h, n * dim);
    }

    private void check(ForwardBatch batch) {
        batch.checkFits(c, maxTokens, maxLogits, kv.numBlocks(), kv.blockSize());
    }

    /**
     * h (n, dim) = in (n, width) times w transposed, summed over ranks. Under tensor parallelism w holds this
     * slice's input columns and each rank's product is a partial sum for the all-reduce; when w is whole (its
     * quant blocks span ranks), every rank's columns are gathered, rank 0 multiplies, the others add zero.
     */
    private void rowParallel(WeightMatrix w, float[] in, int width, int n) {
        int dim = c.dim();
        if (coll == null || w.cols() == width) {
            kernels.matmul(w, in, h, n);
            if (coll != null) coll.allReduce(h, 0, n * dim);
            return;
        }
        int ranks = coll.size();
        coll.allGather(in, 0, n * width, gathered, 0);
        for (int r = 0; r < ranks; r++) {
            for (int t = 0; t < n; t++) System.arraycopy(gathered, (r * n + t) * width, full, t * w.cols() + r * width, width);
        }
        if (coll.rank() == 0) {
            kernels.matmul(w, full, h, n);
        } else {
            Arrays.fill(h, 0, n * dim, 0f);
        }
        coll.allReduce(h, 0, n * dim);
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
