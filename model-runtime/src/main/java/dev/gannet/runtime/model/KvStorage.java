package dev.gannet.runtime.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The bytes of the paged KV cache, off-heap: for every layer one K region and one V region, each laid
 * out by block as (numBlocks, blockSize, numKvHeads, headDim) f32. A slot is {@code block * blockSize +
 * offset}; the K of slot s, head h starts at float index {@code (s * numKvHeads + h) * headDim}.
 * Which blocks belong to which sequence is the engine's business (block tables in {@link ForwardBatch});
 * this class knows only slots. Writes happen on the engine thread between steps; attention threads read.
 */
public final class KvStorage implements AutoCloseable {
    /** Element type of the cache; the switch point for an 8-bit cache later. */
    public enum Precision { F32 }

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private final int numLayers;
    private final int numBlocks;
    private final int blockSize;
    private final int numKvHeads;
    private final int headDim;
    private final Arena arena;
    private final MemorySegment[] keys;   // [layer] (numBlocks, blockSize, numKvHeads, headDim) f32
    private final MemorySegment[] values; // [layer] (numBlocks, blockSize, numKvHeads, headDim) f32

    public KvStorage(int numLayers, int numBlocks, int blockSize, int numKvHeads, int headDim, Precision precision) {
        if (numLayers <= 0 || numBlocks <= 0 || blockSize <= 0 || numKvHeads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException("KvStorage: every size must be positive: layers " + numLayers + ", blocks " + numBlocks
                    + ", blockSize " + blockSize + ", kvHeads " + numKvHeads + ", headDim " + headDim);
        }
        switch (precision) {
            case F32 -> { }
        }
        this.numLayers = numLayers;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.arena = Arena.ofShared();
        this.keys = new MemorySegment[numLayers];
        this.values = new MemorySegment[numLayers];
        long bytes = layerBytes();
        try {
            for (int l = 0; l < numLayers; l++) {
                keys[l] = arena.allocate(bytes, 64);
                values[l] = arena.allocate(bytes, 64);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    /** An f32 cache shaped for {@code config}. */
    public static KvStorage forModel(ModelConfig config, int numBlocks, int blockSize) {
        return new KvStorage(config.numLayers(), numBlocks, blockSize, config.numKvHeads(), config.headDim(), Precision.F32);
    }

    /** Bytes one cache of these sizes takes (K and V, all layers), for sizing the block count from a memory budget. */
    public static long bytesFor(ModelConfig config, int numBlocks, int blockSize) {
        return 2L * config.numLayers() * numBlocks * blockSize * config.numKvHeads() * config.headDim() * Float.BYTES;
    }

    public int numLayers() { return numLayers; }

    public int numBlocks() { return numBlocks; }

    public int blockSize() { return blockSize; }

    public int numKvHeads() { return numKvHeads; }

    public int headDim() { return headDim; }

    /** Number of slots: numBlocks * blockSize. */
    public long numSlots() { return (long) numBlocks * blockSize; }

    /** K of one layer: (numBlocks, blockSize, numKvHeads, headDim) f32. */
    public MemorySegment keys(int layer) { return keys[layer]; }

    /** V of one layer: (numBlocks, blockSize, numKvHeads, headDim) f32. */
    public MemorySegment values(int layer) { return values[layer]; }

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
            long off = (long) s * row * Float.BYTES;
            MemorySegment.copy(k, t * row, keys[layer], FLOAT, off, row);
            MemorySegment.copy(v, t * row, values[layer], FLOAT, off, row);
        }
    }

    private long layerBytes() {
        return (long) numBlocks * blockSize * numKvHeads * headDim * Float.BYTES;
    }

    @Override
    public void close() {
        arena.close();
    }
}
