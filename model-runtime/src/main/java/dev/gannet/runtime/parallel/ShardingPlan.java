package dev.gannet.runtime.parallel;

import dev.gannet.runtime.model.LayerWeights;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.tensor.WeightMatrix;

/**
 * How a decoder is split over {@code ranks} tensor-parallel ranks (Megatron-LM style), derived from the
 * config alone, so every architecture with the shared layer shape gets the same plan.
 *
 * <pre>
 * weight                 split                 rank r owns                              collective
 * token embedding        replicated            all rows (a lookup of a few rows)        -
 * attn/ffn/output norm   replicated            all                                      -
 * wq, bq                 column-parallel       rows of query heads qHeads(r)            -
 * wk, wv, bk, bv         column-parallel       rows of KV heads kvHeads(r)              -
 * wo                     row-parallel          columns qRows(r) (its heads' outputs)    all-reduce (sum) of (n, dim)
 * gate, up               column-parallel       rows ffnRows(r)                          -
 * down                   row-parallel          columns ffnRows(r)                       all-reduce (sum) of (n, dim)
 * LM head (output)       vocab-parallel        rows vocabRows(r)                        all-gather of logits
 * </pre>
 *
 * Column-parallel slices are contiguous rows of the file ({@link WeightMatrix#rowSlice}); row-parallel
 * slices are column ranges of a row-major matrix, so each rank's share of a row must be whole quant blocks;
 * a weight whose blocks span ranks stays whole and rank 0 applies it to the gathered input ({@link #splits}). When there are fewer KV heads than ranks, each KV head is replicated on the
 * {@link #kvReplicas()} consecutive ranks whose query heads use it (as Megatron and vLLM do).
 * A row-parallel bias (none in Llama or Qwen2) would be added once, to the all-reduced sum, not per rank.
 * The LM head is split by vocabulary because it is the largest single matrix a decode step reads
 * (vocab x dim); the embedding is replicated because a step reads only one row per token of it.
 *
 * @param config the model's hyper-parameters
 * @param ranks  tensor-parallel ranks, >= 1
 */
public record ShardingPlan(ModelConfig config, int ranks) {
    public ShardingPlan {
        if (config == null) throw new IllegalArgumentException("--tp: no model config");
        if (ranks < 1) throw new IllegalArgumentException("--tp " + ranks + ": the rank count must be at least 1");
        int heads = config.numHeads();
        int kv = config.numKvHeads();
        if (heads % ranks != 0) {
            throw new IllegalArgumentException(prefix(ranks) + heads + " attention heads are not divisible by " + ranks + " ranks");
        }
        if (kv % ranks != 0 && ranks % kv != 0) {
            throw new IllegalArgumentException(prefix(ranks) + kv + " KV heads neither divide into " + ranks
                    + " ranks nor can be replicated evenly over them (" + ranks + " is not a multiple of " + kv + ")");
        }
        if (config.ffnDim() % ranks != 0) {
            throw new IllegalArgumentException(prefix(ranks) + "FFN width " + config.ffnDim() + " is not divisible by " + ranks + " ranks");
        }
        int perRank = ceilDiv(config.vocabSize(), ranks);
        if ((long) perRank * (ranks - 1) >= config.vocabSize()) {
            throw new IllegalArgumentException(prefix(ranks) + "a vocabulary of " + config.vocabSize() + " tokens leaves rank "
                    + (ranks - 1) + " no rows of the LM head");
        }
    }

    /** The plan for {@code ranks} ranks, shape checks only. */
    public static ShardingPlan of(ModelConfig config, int ranks) {
        return new ShardingPlan(config, ranks);
    }

    /** The plan for {@code model} (its shape checks are those of {@link #of}). */
    public static ShardingPlan forModel(Model model, int ranks) {
        return new ShardingPlan(model.config(), ranks);
    }

    /** Query heads per rank. */
    public int headsPerRank() { return config.numHeads() / ranks; }

    /** KV heads each rank stores (1 when KV heads are replicated). */
    public int kvHeadsPerRank() { return Math.max(1, config.numKvHeads() / ranks); }

    /** Ranks that hold a copy of each KV head: 1 when KV heads are split, ranks / numKvHeads when replicated. */
    public int kvReplicas() { return Math.max(1, ranks / config.numKvHeads()); }

    /** FFN width (gate/up rows, down columns) per rank. */
    public int ffnPerRank() { return config.ffnDim() / ranks; }

    /** LM-head rows per rank, rounded up; the last rank may own fewer (see {@link #vocabRows}). */
    public int vocabPerRank() { return ceilDiv(config.vocabSize(), ranks); }

    /** Query heads of {@code rank}: a contiguous block. */
    public Range qHeads(int rank) {
        check(rank);
        int n = headsPerRank();
        return new Range(rank * n, (rank + 1) * n);
    }

    /** KV heads of {@code rank}: its share when split, else the one head its query heads attend with. */
    public Range kvHeads(int rank) {
        int group = config.numHeads() / config.numKvHeads();
        int first = qHeads(rank).from() / group;
        return new Range(first, first + kvHeadsPerRank());
    }

    /** Rows of wq (and bq), and columns of wo, that {@code rank} owns. */
    public Range qRows(int rank) { return qHeads(rank).times(config.headDim()); }

    /** Rows of wk and wv (and their biases) that {@code rank} owns. */
    public Range kvRows(int rank) { return kvHeads(rank).times(config.headDim()); }

    /** Rows of gate and up, and columns of down, that {@code rank} owns. */
    public Range ffnRows(int rank) {
        check(rank);
        int n = ffnPerRank();
        return new Range(rank * n, (rank + 1) * n);
    }

    /** Rows of the LM head (vocabulary ids) that {@code rank} owns. */
    public Range vocabRows(int rank) {
        check(rank);
        int n = vocabPerRank();
        return new Range(rank * n, Math.min(config.vocabSize(), (rank + 1) * n));
    }

    /**
     * Rank {@code rank}'s share of one layer: views of the checkpoint (column-parallel weights as row
     * slices, row-parallel ones as column slices; no copies), the biases of its rows, the norms whole.
     */
    public LayerWeights shard(LayerWeights w, int rank) {
        Range q = qRows(rank);
        Range kv = kvRows(rank);
        Range f = ffnRows(rank);
        return new LayerWeights(w.attnNorm(),
                w.wq().rowSlice(q.from(), q.to()), w.wk().rowSlice(kv.from(), kv.to()), w.wv().rowSlice(kv.from(), kv.to()),
                splits(w.wo(), q.length()) ? w.wo().colSlice(q.from(), q.to()) : w.wo(),
                slice(w.bq(), q), slice(w.bk(), kv), slice(w.bv(), kv),
                w.ffnNorm(), w.gate().rowSlice(f.from(), f.to()), w.up().rowSlice(f.from(), f.to()), splits(w.down(), f.length()) ? w.down().colSlice(f.from(), f.to()) : w.down());
    }

    /**
     * Whether a row-parallel weight splits into whole quant blocks per rank (a rank's columns of a row must
     * start and end on a block boundary to be a view of the file). One that does not stays whole: the forward
     * pass then gathers its input and lets rank 0 apply it (exact, but that projection is not parallel).
     */
    public static boolean splits(WeightMatrix w, int colsPerRank) {
        return colsPerRank % w.type().blockSize() == 0;
    }

    /** Rank {@code rank}'s rows of the LM head (vocab, dim): a view, no copy. */
    public WeightMatrix lmHead(WeightMatrix output, int rank) {
        Range v = vocabRows(rank);
        return output.rowSlice(v.from(), v.to());
    }

    private static float[] slice(float[] bias, Range r) {
        return bias == null ? null : java.util.Arrays.copyOfRange(bias, r.from(), r.to());
    }

    /** Row-parallel weights (wo, down) that stay whole because their quant blocks span ranks, for the start-up log. */
    public int wholeRowParallelWeights(Model model) {
        int whole = 0;
        for (int l = 0; l < config.numLayers(); l++) {
            LayerWeights w = model.layer(l);
            if (!splits(w.wo(), headsPerRank() * config.headDim())) whole++;
            if (!splits(w.down(), ffnPerRank())) whole++;
        }
        return whole;
    }

    /** One line for the start-up log. */
    public String describe() {
        return "tensor parallel over " + ranks + " ranks: " + headsPerRank() + " query heads, " + kvHeadsPerRank() + " KV heads"
                + (kvReplicas() > 1 ? " (each replicated on " + kvReplicas() + " ranks)" : "") + ", FFN " + ffnPerRank()
                + ", LM head " + vocabPerRank() + " vocabulary rows per rank; 2 all-reduces of " + config.dim()
                + " floats per token per layer";
    }

    private void check(int rank) {
        if (rank < 0 || rank >= ranks) throw new IllegalArgumentException("rank " + rank + " outside [0, " + ranks + ")");
    }

    private static String prefix(int ranks) {
        return "--tp " + ranks + ": ";
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
