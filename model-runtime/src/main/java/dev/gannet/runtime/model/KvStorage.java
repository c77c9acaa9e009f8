package dev.gannet.runtime.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The bytes of the paged KV cache, off-heap: for every layer one K region and one V region, each laid
 * out by block as (numBlocks, blockSize, numKvHeads, headDim). A slot is {@code block * blockSize +
 * offset}; the K of slot s, head h is element {@code (s * numKvHeads + h) * headDim} onwards.
 * Which blocks belong to which sequence is the engine's business (block tables in {@link ForwardBatch});
 * this class knows only slots. Writes happen on the engine thread between steps; attention threads read.
 *
 * <p>Two precisions. {@link Precision#F32}: elements are f32. {@link Precision#Q8_0}: elements are int8
 * in the K/V regions, and every run of {@link #Q8_BLOCK} elements of a row has an f32 scale in a
 * parallel scale region (element e's scale is scale number e / 32), quantized when written like
 * ggml's Q8_0: scale = max|x| / 127, q = round(x / scale). A quarter of the f32 bytes plus an eighth
 * for scales, so about 3.6x the tokens in the same memory; needs a head dimension divisible by 32.
 */
public final class KvStorage implements AutoCloseable {
    /**
     * Element type of the cache ({@code kv_cache_dtype}). The CPU stores {@link #F32} or {@link #Q8_0};
     * {@link #F16}, {@link #BF16} and {@link #FP8} (e4m3 with an f32 scale per KV head row) are device formats
     * (the CUDA backend's); {@link #AUTO} is resolved by the compute factory: f32 on the CPU, the activation
     * dtype (f16 or bf16) on a GPU.
     */
    public enum Precision {
        AUTO, F32, F16, BF16, Q8_0, FP8;

        /** Parses {@code auto}, {@code f32}, {@code f16}, {@code bf16}, {@code q8_0} or {@code fp8} (any case). */
        public static Precision parse(String s) {
            for (Precision p : values()) {
                if (p.name().equalsIgnoreCase(s)) return p;
            }
            throw new IllegalArgumentException("KV cache dtype must be auto, f32, f16, bf16, q8_0 or fp8, got '" + s + "'");
        }

        /** Bytes one head row of {@code headDim} elements takes, scales included. */
        public long rowBytes(int headDim) {
            return switch (this) {
                case F32 -> 4L * headDim;
                case F16, BF16 -> 2L * headDim;
                case Q8_0 -> headDim + 4L * (headDim / Q8_BLOCK);
                case FP8 -> headDim + 4L;
                case AUTO -> throw new IllegalStateException("kv cache dtype auto has no size until the device resolves it");
            };
        }
    }

    /** Elements per Q8_0 scale. */
    public static final int Q8_BLOCK = 32;

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private final int numLayers;
    private final int numBlocks;
    private final int blockSize;
    private final int numKvHeads;
    private final int headDim;
    private final Precision precision;
    private final Arena arena;
    private final MemorySegment[] keys;        // [layer] (numBlocks, blockSize, numKvHeads, headDim) f32 or int8
    private final MemorySegment[] values;      // [layer] same
    private final MemorySegment[] keyScales;   // [layer] Q8_0: (elements / 32) f32; null for F32
    private final MemorySegment[] valueScales; // [layer] same

    public KvStorage(int numLayers, int numBlocks, int blockSize, int numKvHeads, int headDim, Precision precision) {
        if (numLayers <= 0 || numBlocks <= 0 || blockSize <= 0 || numKvHeads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException("KvStorage: every size must be positive: layers " + numLayers + ", blocks " + numBlocks
                    + ", blockSize " + blockSize + ", kvHeads " + numKvHeads + ", headDim " + headDim);
        }
        checkSupported(precision, headDim);
        this.numLayers = numLayers;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.precision = precision;
        this.arena = Arena.ofShared();
        this.keys = new MemorySegment[numLayers];
        this.values = new MemorySegment[numLayers];
        boolean q8 = precision == Precision.Q8_0;
        this.keyScales = q8 ? new MemorySegment[numLayers] : null;
        this.valueScales = q8 ? new MemorySegment[numLayers] : null;
        long elements = (long) numBlocks * blockSize * numKvHeads * headDim;
        try {
            for (int l = 0; l < numLayers; l++) {
                keys[l] = arena.allocate(q8 ? elements : elements * Float.BYTES, 64);
                values[l] = arena.allocate(q8 ? elements : elements * Float.BYTES, 64);
                if (q8) {
                    keyScales[l] = arena.allocate(elements / Q8_BLOCK * Float.BYTES, 64);
                    valueScales[l] = arena.allocate(elements / Q8_BLOCK * Float.BYTES, 64);
                }
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    /** Throws a one-line explanation when {@code precision} cannot store heads of {@code headDim}. */
    public static void checkSupported(Precision precision, int headDim) {
        if (precision != Precision.F32 && precision != Precision.Q8_0) {
            throw new IllegalArgumentException("kv_cache_dtype " + precision.name().toLowerCase(java.util.Locale.ROOT)
                    + " is a GPU cache format; the CPU cache stores f32 or q8_0");
        }
        if (precision == Precision.Q8_0 && headDim % Q8_BLOCK != 0) {
            throw new IllegalArgumentException("kv_cache_dtype q8_0 needs a head dimension divisible by " + Q8_BLOCK
                    + "; this model's is " + headDim + " (use f32)");
        }
    }

    /** An f32 cache shaped for {@code config}. */
    public static KvStorage forModel(ModelConfig config, int numBlocks, int blockSize) {
        return forModel(config, numBlocks, blockSize, Precision.F32);
    }

    /** A cache of {@code precision} shaped for {@code config}. */
    public static KvStorage forModel(ModelConfig config, int numBlocks, int blockSize, Precision precision) {
        return new KvStorage(config.numLayers(), numBlocks, blockSize, config.numKvHeads(), config.headDim(), precision);
    }

    /** Bytes one f32 cache of these sizes takes (K and V, all layers), for sizing the block count from a memory budget. */
    public static long bytesFor(ModelConfig config, int numBlocks, int blockSize) {
        return bytesFor(config, numBlocks, blockSize, Precision.F32);
    }

    /** Bytes one cache of these sizes and precision takes (K and V, scales included, all layers). */
    public static long bytesFor(ModelConfig config, int numBlocks, int blockSize, Precision precision) {
        return 2L * config.numLayers() * numBlocks * blockSize * config.numKvHeads() * precision.rowBytes(config.headDim());
    }

    public int numLayers() { return numLayers; }

    public int numBlocks() { return numBlocks; }

    public int blockSize() { return blockSize; }

    public int numKvHeads() { return numKvHeads; }

    public int headDim() { return headDim; }

    public Precision precision() { return precision; }

    /** Number of slots: numBlocks * blockSize. */
    public long numSlots() { return (long) numBlocks * blockSize; }

    /** K of one layer: (numBlocks, blockSize, numKvHeads, headDim) f32, or int8 quants for Q8_0. */
    public MemorySegment keys(int layer) { return keys[layer]; }

    /** V of one layer: (numBlocks, blockSize, numKvHeads, headDim) f32, or int8 quants for Q8_0. */
    public MemorySegment values(int layer) { return values[layer]; }

    /** Q8_0: the f32 scales of one layer's K, one per 32 elements; null for F32. */
    public MemorySegment keyScales(int layer) { return keyScales == null ? null : keyScales[layer]; }

    /** Q8_0: the f32 scales of one layer's V, one per 32 elements; null for F32. */
    public MemorySegment valueScales(int layer) { return valueScales == null ? null : valueScales[layer]; }

    /** Element {@code e} of layer {@code layer}'s K, as the attention kernels see it (dequantized for Q8_0). */
    public float key(int layer, long e) {
        return element(keys[layer], keyScales == null ? null : keyScales[layer], e);
    }

    /** Element {@code e} of layer {@code layer}'s V, as the attention kernels see it. */
    public float value(int layer, long e) {
        return element(values[layer], valueScales == null ? null : valueScales[layer], e);
    }

    private static float element(MemorySegment data, MemorySegment scales, long e) {
        if (scales == null) return data.getAtIndex(FLOAT, e);
        return data.get(ValueLayout.JAVA_BYTE, e) * scales.getAtIndex(FLOAT, e / Q8_BLOCK);
    }

    /**
     * Stores the K and V rows of {@code numTokens} tokens at their slots.
     *
     * @param k     (numTokens, numKvHeads * headDim) f32
     * @param v     (numTokens, numKvHeads * headDim) f32
     * @param slots (numTokens) destination slot of each token
     */
    public void write(int layer, int[] slots, float[] k, float[] v, int numTokens) {
        int row = numKvHeads * headDim;
        long slotCount = numSlots();
        for (int t = 0; t < numTokens; t++) {
            int s = slots[t];
            if (s < 0 || s >= slotCount) throw new IllegalArgumentException("slot " + s + " of token " + t + " outside [0, " + slotCount + ")");
            long e = (long) s * row;
            if (precision == Precision.F32) {
                MemorySegment.copy(k, t * row, keys[layer], FLOAT, e * Float.BYTES, row);
                MemorySegment.copy(v, t * row, values[layer], FLOAT, e * Float.BYTES, row);
            } else {
                quantize(k, t * row, row, keys[layer], keyScales[layer], e);
                quantize(v, t * row, row, values[layer], valueScales[layer], e);
            }
        }
    }

    /** x[from, from + n) as Q8_0 at element e (a multiple of 32) of data/scales. */
    private static void quantize(float[] x, int from, int n, MemorySegment data, MemorySegment scales, long e) {
        for (int b = 0; b < n; b += Q8_BLOCK) {
            float amax = 0f;
            for (int i = 0; i < Q8_BLOCK; i++) amax = Math.max(amax, Math.abs(x[from + b + i]));
            float d = amax / 127f;
            float id = d == 0f ? 0f : 1f / d;
            for (int i = 0; i < Q8_BLOCK; i++) {
                int q = Math.round(x[from + b + i] * id);
                data.set(ValueLayout.JAVA_BYTE, e + b + i, (byte) Math.max(-127, Math.min(127, q)));
            }
            scales.setAtIndex(FLOAT, (e + b) / Q8_BLOCK, d);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
