package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.ComputePool;
import dev.gannet.runtime.kernel.ExactExp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention with the Vector API on a {@link ComputePool}, split along the context (Flash-Decoding).
 *
 * <p>Work is done per (token, KV head): the query heads that share a KV head (GQA) are computed together,
 * so each K/V row is fetched from memory once per group. Each (token, head) splits its context of L positions into partitions of {@link #partitionSize(int)}
 * positions, a function of L alone. Each partition yields a partial result (max score m, sum of
 * exp(score - m), unnormalised output); partials are merged exactly, always in partition order, with one
 * merge routine. Batch invariance follows: a token's bits depend on its q, its K/V and L, never on
 * what else is in the batch or on how the work was spread over threads. When a batch has few
 * (token, KV head) items (small decode batches) the partitions themselves run in parallel and are merged
 * afterwards; otherwise each thread takes whole (token, KV head) items and merges as it goes. Both paths
 * run the same arithmetic in the same order, so they give identical bits. Lane sums use a fixed order and
 * exp is built from exact lane operations ({@link ExactExp}) or {@link StrictMath#exp}, so the bits do not
 * change when the JIT kicks in either.
 */
public final class VectorAttention implements Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Most partitions one (token, head) is split into. */
    static final int MAX_PARTS = 16;

    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;
    private final int group;
    private final float scale;
    private final int minPartition;
    private final ComputePool pool;
    private final boolean ownsPool;
    private final int rec;            // floats of one head's partial result: m, l, o(headDim)
    private final int maxPartition;
    private final float[][] scores;   // [worker] (group, maxPartition) scores, then probabilities
    private final float[][] partial;  // [worker] (group, rec) one partition
    private final float[][] running;  // [worker] (group, rec) merged so far
    private final float[][] lanes;    // [worker] (S.length()) vector lanes, summed in a fixed order
    private final int splitItems;     // batches with fewer (token, KV head) items split partitions across threads
    private final float[] partials;   // (splitItems, MAX_PARTS, group, rec) for the split path
    private final int[] unitStart;    // (splitItems + 1) first partition unit of each item
    private final AtomicInteger next = new AtomicInteger();
    private final Job job = new Job();

    /**
     * @param maxContext   longest context (sizes the per-thread score buffer)
     * @param threads      threads to compute with (the caller's thread included)
     * @param minPartition smallest partition, in positions (256 in production; tests use small ones)
     */
    public VectorAttention(int numHeads, int numKvHeads, int headDim, int maxContext, int threads, int minPartition) {
        this(numHeads, numKvHeads, headDim, maxContext, new ComputePool(threads), true, minPartition);
    }

    /**
     * Attention on a pool shared with the matmul kernels ({@code VectorKernels.pool()}): the engine thread runs
     * one op at a time, so one set of threads serves both. The pool stays open when this closes.
     */
    public VectorAttention(ModelConfig config, ComputePool shared) {
        this(config.numHeads(), config.numKvHeads(), config.headDim(), config.contextLength(), shared, false, 256);
    }

    /** As {@link #VectorAttention(ModelConfig, ComputePool)} for a slice of the heads (a tensor-parallel rank). */
    public VectorAttention(int numHeads, int numKvHeads, int headDim, int maxContext, ComputePool shared) {
        this(numHeads, numKvHeads, headDim, maxContext, shared, false, 256);
    }

    private VectorAttention(int numHeads, int numKvHeads, int headDim, int maxContext, ComputePool pool, boolean ownsPool,
                            int minPartition) {
        int threads = pool.size();
        this.pool = pool;
        this.ownsPool = ownsPool;
        if (numHeads % numKvHeads != 0) throw new IllegalArgumentException(numHeads + " heads, " + numKvHeads + " kv heads");
        if (minPartition <= 0 || Integer.bitCount(minPartition) != 1) throw new IllegalArgumentException("minPartition " + minPartition + " must be a power of two");
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.group = numHeads / numKvHeads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.minPartition = minPartition;
        this.rec = headDim + 2;
        this.maxPartition = partitionSize(maxContext);
        this.scores = new float[threads][group * maxPartition];
        this.partial = new float[threads][group * rec];
        this.running = new float[threads][group * rec];
        this.lanes = new float[threads][S.length()];
        this.splitItems = 2 * threads;
        this.partials = new float[splitItems * MAX_PARTS * group * rec];
        this.unitStart = new int[splitItems + 1];
    }

    public VectorAttention(ModelConfig config, int threads) {
        this(config.numHeads(), config.numKvHeads(), config.headDim(), config.contextLength(), threads, 256);
    }

    /** Positions per partition for a context of {@code len}: a power of two >= minPartition, at most MAX_PARTS partitions. */
    public int partitionSize(int len) {
        int want = (len + MAX_PARTS - 1) / MAX_PARTS;
        int p = want <= 1 ? 1 : Integer.highestOneBit(want - 1) << 1;
        return Math.max(minPartition, p);
    }

    @Override
    public void attend(ForwardBatch batch, int[] tokenSeq, float[] q, KvStorage kv, int layer, float[] out) {
        Job j = job;
        j.batch = batch;
        j.tokenSeq = tokenSeq;
        j.q = q;
        j.keys = kv.keys(layer);
        j.values = kv.values(layer);
        j.keyScales = kv.keyScales(layer);
        j.valueScales = kv.valueScales(layer);
        j.out = out;
        int items = batch.numTokens() * numKvHeads;
        try {
            if (items < splitItems && pool.size() > 1) {
                int units = 0;
                for (int i = 0; i < items; i++) {
                    unitStart[i] = units;
                    int len = batch.positions()[i / numKvHeads] + 1;
                    units += ceilDiv(len, partitionSize(len));
                }
                unitStart[items] = units;
                runPhase(Phase.PARTITIONS, units);
                runPhase(Phase.MERGE, items);
            } else {
                runPhase(Phase.WHOLE_ITEMS, items);
            }
        } finally {
            j.batch = null;
            j.q = null;
            j.out = null;
        }
    }

    private enum Phase { WHOLE_ITEMS, PARTITIONS, MERGE }

    private void runPhase(Phase phase, int count) {
        job.phase = phase;
        job.count = count;
        next.set(0);
        pool.run(job);
    }

    /** The current call's inputs; one long-lived instance so that fanning out allocates nothing. */
    private final class Job implements ComputePool.Task {
        Phase phase;
        int count;
        ForwardBatch batch;
        int[] tokenSeq;
        float[] q;
        MemorySegment keys;
        MemorySegment values;
        MemorySegment keyScales;   // Q8_0 cache: f32 scale per 32 elements; null for f32
        MemorySegment valueScales;
        float[] out;

        @Override
        public void run(int worker, int workers) {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                switch (phase) {
                    case WHOLE_ITEMS -> wholeItem(worker, i);
                    case PARTITIONS -> partitionUnit(worker, i);
                    case MERGE -> mergeItem(i);
                }
            }
        }
    }

    private void wholeItem(int worker, int item) {
        int t = item / numKvHeads;
        int kvh = item % numKvHeads;
        int len = job.batch.positions()[t] + 1;
        int size = partitionSize(len);
        int parts = ceilDiv(len, size);
        float[] run = running[worker];
        computePartition(worker, t, kvh, 0, size, len, run, 0);
        for (int p = 1; p < parts; p++) {
            computePartition(worker, t, kvh, p, size, len, partial[worker], 0);
            for (int g = 0; g < group; g++) merge(run, g * rec, partial[worker], g * rec);
        }
        for (int g = 0; g < group; g++) finish(run, g * rec, t, kvh * group + g);
    }

    private void partitionUnit(int worker, int unit) {
        int item = findItem(unit);
        int t = item / numKvHeads;
        int len = job.batch.positions()[t] + 1;
        int p = unit - unitStart[item];
        computePartition(worker, t, item % numKvHeads, p, partitionSize(len), len, partials, (item * MAX_PARTS + p) * group * rec);
    }

    private void mergeItem(int item) {
        int parts = unitStart[item + 1] - unitStart[item];
        int base = item * MAX_PARTS * group * rec;
        int t = item / numKvHeads;
        int kvh = item % numKvHeads;
        for (int p = 1; p < parts; p++) {
            for (int g = 0; g < group; g++) merge(partials, base + g * rec, partials, base + (p * group + g) * rec);
        }
        for (int g = 0; g < group; g++) finish(partials, base + g * rec, t, kvh * group + g);
    }

    private int findItem(int unit) {
        // unitStart[items] is the unit count, so the scan stops at the last item; items < splitItems keeps it short
        int item = 0;
        while (unitStart[item + 1] <= unit) item++;
        return item;
    }

    /** Writes [m, l, o(headDim)] of partition p for each head g of KV head kvh's group, at dst[off + g * rec..]. */
    private void computePartition(int worker, int t, int kvh, int p, int size, int len, float[] dst, int off) {
        int from = p * size;
        int to = Math.min(len, from + size);
        int[] table = job.batch.blockTables()[job.tokenSeq[t]];
        int bs = job.batch.blockSize();
        int qOff = (t * numHeads + kvh * group) * headDim;
        float[] sc = scores[worker];
        long stride = (long) numKvHeads * headDim * Float.BYTES; // bytes from one slot to the next
        long head = (long) kvh * headDim * Float.BYTES;
        for (int g = 0; g < group; g++) dst[off + g * rec] = Float.NEGATIVE_INFINITY;
        // walk the context block by block: one table lookup per block, not a division per position
        for (int j = from; j < to; ) {
            int inBlock = j % bs;
            int n = Math.min(bs - inBlock, to - j);
            long row = ((long) table[j / bs] * bs + inBlock) * stride + head;
            for (int i = 0; i < n; i++, j++, row += stride) {
                for (int g = 0; g < group; g++) {
                    float s = (job.keyScales == null ? dot(job.q, qOff + g * headDim, job.keys, row)
                            : dotQ8(job.q, qOff + g * headDim, job.keys, job.keyScales, row / Float.BYTES)) * scale;
                    sc[g * maxPartition + j - from] = s;
                    int m = off + g * rec;
                    dst[m] = Math.max(dst[m], s);
                }
            }
        }
        for (int g = 0; g < group; g++) {
            int r = off + g * rec;
            dst[r + 1] = ExactExp.expInPlace(sc, g * maxPartition, to - from, dst[r], lanes[worker]);
            java.util.Arrays.fill(dst, r + 2, r + 2 + headDim, 0f);
        }
        for (int j = from; j < to; ) {
            int inBlock = j % bs;
            int n = Math.min(bs - inBlock, to - j);
            long row = ((long) table[j / bs] * bs + inBlock) * stride + head;
            for (int i = 0; i < n; i++, j++, row += stride) {
                for (int g = 0; g < group; g++) {
                    float prob = sc[g * maxPartition + j - from];
                    if (job.valueScales == null) axpy(dst, off + g * rec + 2, prob, job.values, row);
                    else axpyQ8(dst, off + g * rec + 2, prob, job.values, job.valueScales, row / Float.BYTES);
                }
            }
        }
    }

    /** Folds partial b into running a: both [m, l, o(headDim)]. */
    private void merge(float[] a, int aOff, float[] b, int bOff) {
        float m = Math.max(a[aOff], b[bOff]);
        float ca = (float) StrictMath.exp(a[aOff] - m);
        float cb = (float) StrictMath.exp(b[bOff] - m);
        for (int d = 0; d < headDim; d++) a[aOff + 2 + d] = a[aOff + 2 + d] * ca + b[bOff + 2 + d] * cb;
        a[aOff + 1] = a[aOff + 1] * ca + b[bOff + 1] * cb;
        a[aOff] = m;
    }

    private void finish(float[] r, int off, int t, int h) {
        float inv = 1f / r[off + 1];
        int o = (t * numHeads + h) * headDim;
        for (int d = 0; d < headDim; d++) job.out[o + d] = r[off + 2 + d] * inv;
    }


    /** q . k; lanes are folded by a fixed shuffle tree (see {@link #sumLanes}). */
    private float dot(float[] q, int qOff, MemorySegment k, long kByte) {
        int d = 0;
        float sum = 0;
        int bound = S.loopBound(headDim);
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; d < bound; d += S.length()) {
                acc = FloatVector.fromArray(S, q, qOff + d).fma(FloatVector.fromMemorySegment(S, k, kByte + (long) d * Float.BYTES, ORDER), acc);
            }
            sum = sumLanes(acc);
        }
        for (; d < headDim; d++) sum += q[qOff + d] * k.get(KvStorage.FLOAT, kByte + (long) d * Float.BYTES);
        return sum;
    }

    /** int8 lanes matching {@link #S}'s float lanes, for the Q8_0 cache (null below 8 lanes: scalar). */
    private static final VectorSpecies<Byte> BYTES = S.length() >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(S.length() * 8)) : null;

    /**
     * q . k for a Q8_0 cache row starting at element {@code e}: each element is q8 * its block's scale
     * (exactly {@link KvStorage#key}), multiplied into the same chain and lane sum as {@link #dot}.
     * The head dimension is a multiple of 32, so chunks never straddle a scale block.
     */
    private float dotQ8(float[] q, int qOff, MemorySegment k, MemorySegment scales, long e) {
        if (BYTES == null) {
            float sum = 0;
            for (int d = 0; d < headDim; d++) sum += q[qOff + d] * (k.get(ValueLayout.JAVA_BYTE, e + d) * scales.getAtIndex(KvStorage.FLOAT, (e + d) / KvStorage.Q8_BLOCK));
            return sum;
        }
        FloatVector acc = FloatVector.zero(S);
        for (int d = 0; d < headDim; d += S.length()) {
            float sc = scales.getAtIndex(KvStorage.FLOAT, (e + d) / KvStorage.Q8_BLOCK);
            FloatVector kv = ((FloatVector) ByteVector.fromMemorySegment(BYTES, k, e + d, ORDER).convertShape(VectorOperators.B2F, S, 0)).mul(sc);
            acc = FloatVector.fromArray(S, q, qOff + d).fma(kv, acc);
        }
        return sumLanes(acc);
    }

    /** y[yOff..+headDim) += a * v for a Q8_0 cache row starting at element {@code e}. */
    private void axpyQ8(float[] y, int yOff, float a, MemorySegment v, MemorySegment scales, long e) {
        if (BYTES == null) {
            for (int d = 0; d < headDim; d++) y[yOff + d] += a * (v.get(ValueLayout.JAVA_BYTE, e + d) * scales.getAtIndex(KvStorage.FLOAT, (e + d) / KvStorage.Q8_BLOCK));
            return;
        }
        FloatVector av = FloatVector.broadcast(S, a);
        for (int d = 0; d < headDim; d += S.length()) {
            float sc = scales.getAtIndex(KvStorage.FLOAT, (e + d) / KvStorage.Q8_BLOCK);
            FloatVector vv = ((FloatVector) ByteVector.fromMemorySegment(BYTES, v, e + d, ORDER).convertShape(VectorOperators.B2F, S, 0)).mul(sc);
            vv.fma(av, FloatVector.fromArray(S, y, yOff + d)).intoArray(y, yOff + d);
        }
    }

    private static final VectorShuffle<Float> ROT8 = rotation(8);
    private static final VectorShuffle<Float> ROT4 = rotation(4);
    private static final VectorShuffle<Float> ROT2 = rotation(2);
    private static final VectorShuffle<Float> ROT1 = rotation(1);

    private static VectorShuffle<Float> rotation(int by) {
        int n = S.length();
        return VectorShuffle.fromOp(S, i -> (i + by) % n);
    }

    /**
     * Sum of the lanes by halving folds. {@code reduceLanes(ADD)} may add in a different order once
     * JIT-compiled, which would make a result depend on warm-up rather than on its inputs alone; a
     * sequential sum would be a long dependency chain per dot product.
     */
    static float sumLanes(FloatVector v) {
        int n = S.length();
        if (n >= 16) v = v.add(v.rearrange(ROT8));
        if (n >= 8) v = v.add(v.rearrange(ROT4));
        if (n >= 4) v = v.add(v.rearrange(ROT2));
        if (n >= 2) v = v.add(v.rearrange(ROT1));
        return v.lane(0);
    }

    /** y[yOff..+headDim) += a * v(row at vByte). */
    private void axpy(float[] y, int yOff, float a, MemorySegment v, long vByte) {
        int d = 0;
        int bound = S.loopBound(headDim);
        if (bound > 0) {
            FloatVector av = FloatVector.broadcast(S, a);
            for (; d < bound; d += S.length()) {
                FloatVector.fromMemorySegment(S, v, vByte + (long) d * Float.BYTES, ORDER).fma(av, FloatVector.fromArray(S, y, yOff + d))
                        .intoArray(y, yOff + d);
            }
        }
        for (; d < headDim; d++) y[yOff + d] += a * v.get(KvStorage.FLOAT, vByte + (long) d * Float.BYTES);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public void close() {
        if (ownsPool) pool.close();
    }
}
