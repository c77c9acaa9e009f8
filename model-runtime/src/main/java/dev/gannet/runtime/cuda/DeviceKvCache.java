package dev.gannet.runtime.cuda;

import static dev.gannet.cuda.CudaException.check;

import dev.gannet.cuda.CudaDriver;

/**
 * The paged KV cache in device memory: per layer a K and a V region laid out as KvStorage's,
 * (numBlocks, blockSize, kvHeads, headDim) elements of the {@link KvFormat}, plus the format's f32 scale regions.
 * Zeroed at allocation, so that the padding rows of a CUDA-graph step, which read slot 0 of the null block, see
 * finite values. The engine addresses it only through block tables and slot mappings.
 */
final class DeviceKvCache {
    final KvFormat format;
    final int numBlocks;
    final int blockSize;
    final int kvHeads;
    final int headDim;
    final long[] keys, values, keyScales, valueScales; // [layer]; scales 0 for NATIVE

    DeviceKvCache(CudaContext cuda, DeviceArena arena, int layers, int numBlocks, int blockSize, int kvHeads, int headDim,
                  KvFormat format, DeviceDtype dtype) {
        if (numBlocks < 2) throw new IllegalArgumentException("a KV cache needs at least 2 blocks, got " + numBlocks);
        this.format = format;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        keys = new long[layers];
        values = new long[layers];
        keyScales = new long[layers];
        valueScales = new long[layers];
        long rows = (long) numBlocks * blockSize * kvHeads;
        long data = rows * headDim * format.elementBytes(dtype);
        long scales = rows * format.scalesPerRow(headDim) * 4L;
        for (int l = 0; l < layers; l++) {
            keys[l] = zeroed(cuda, arena, data);
            values[l] = zeroed(cuda, arena, data);
            if (scales > 0) {
                keyScales[l] = zeroed(cuda, arena, scales);
                valueScales[l] = zeroed(cuda, arena, scales);
            }
        }
    }

    /** Bytes one block takes in all layers, K and V, scales included: the unit of the memory plan. */
    static long blockBytes(int layers, int blockSize, int kvHeads, int headDim, KvFormat format, DeviceDtype dtype) {
        return 2L * layers * blockSize * kvHeads * format.rowBytes(dtype, headDim);
    }

    private static long zeroed(CudaContext cuda, DeviceArena arena, long bytes) {
        long p = arena.alloc(bytes);
        check(CudaDriver.cuMemsetD8_v2(p, (byte) 0, DeviceArena.align(bytes)), "cuMemsetD8_v2");
        return p;
    }
}
