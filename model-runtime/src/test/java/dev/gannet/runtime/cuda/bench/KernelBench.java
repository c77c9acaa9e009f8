package dev.gannet.runtime.cuda.bench;

import static dev.gannet.cuda.CudaException.check;

import dev.gannet.cuda.CudaDriver;
import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.runtime.cuda.CublasLinear;
import dev.gannet.runtime.cuda.CudaContext;
import dev.gannet.runtime.cuda.CudaKernels;
import dev.gannet.runtime.cuda.DecodeSplit;
import dev.gannet.runtime.cuda.DeviceDtype;
import dev.gannet.runtime.cuda.KvFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kernel timings without a model (GpuBench kernels): decode attention of the Llama-3-8B head shape (32 query heads,
 * 8 KV heads of 128, f16 cache) at 8k and 32k context, batch 1 and 8, split by {@link DecodeSplit#choose} and
 * unsplit; and one (14336, 4096) Q8_0 projection by the GEMV kernel against dequantize + cuBLAS at batch 1..64.
 * Inputs are byte patterns (finite values): the timings do not depend on them.
 */
final class KernelBench {
    static final int HEADS = 32, KV_HEADS = 8, HEAD_DIM = 128, BLOCK = 16;

    private KernelBench() { }

    static Map<String, Object> run(CudaLibraryPaths paths) {
        Map<String, Object> r = new LinkedHashMap<>();
        try (CudaContext cuda = CudaContext.open(paths, 0); CudaKernels k = CudaKernels.load(cuda, paths);
             CublasLinear cublas = CublasLinear.create(cuda, paths)) {
            int sms = cuda.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            r.put("device", cuda.name());
            r.put("sms", sms);
            r.put("kernels", k.source());
            Map<String, Object> att = new LinkedHashMap<>();
            for (int ctx : new int[] {8192, 32768}) {
                for (int seqs : new int[] {1, 8}) att.put("ctx" + ctx + "_batch" + seqs, attention(cuda, k, ctx, seqs, sms));
            }
            r.put("decode_attention", att);
            r.put("q8_0_projection_14336x4096", projection(cuda, k, cublas));
        }
        return r;
    }

    private static long filled(CudaContext cuda, long bytes, int pattern) {
        long p = cuda.alloc(bytes);
        check(CudaDriver.cuMemsetD8_v2(p, (byte) pattern, bytes), "cuMemsetD8_v2");
        return p;
    }

    private static long ints(CudaContext cuda, int[] v) {
        long p = cuda.alloc(4L * v.length);
        try (Arena a = Arena.ofConfined()) {
            cuda.upload(p, a.allocateFrom(ValueLayout.JAVA_INT, v));
        }
        return p;
    }

    /** Microseconds per call of {@code call}, after 3 warm-up calls, over {@code n} calls enqueued back to back. */
    private static double time(CudaContext cuda, int n, Runnable call) {
        for (int i = 0; i < 3; i++) call.run();
        cuda.synchronizeAll();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) call.run();
        cuda.synchronize();
        return (System.nanoTime() - t0) / 1e3 / n;
    }

    static Map<String, Object> attention(CudaContext cuda, CudaKernels k, int ctx, int seqs, int sms) {
        int perSeq = ctx / BLOCK, blocks = seqs * perSeq + 1;
        long cacheBytes = (long) blocks * BLOCK * KV_HEADS * HEAD_DIM * 2;
        long kc = filled(cuda, cacheBytes, 0x2C), vc = filled(cuda, cacheBytes, 0x3C); // f16 0x2C2C ~ 0.07, 0x3C3C ~ 1.06
        long q = filled(cuda, (long) seqs * HEADS * HEAD_DIM * 2, 0x2C), out = cuda.alloc((long) seqs * HEADS * HEAD_DIM * 2);
        int[] tables = new int[seqs * perSeq], lens = new int[seqs];
        for (int s = 0; s < seqs; s++) {
            lens[s] = ctx;
            for (int i = 0; i < perSeq; i++) tables[s * perSeq + i] = 1 + s * perSeq + i;
        }
        long dt = ints(cuda, tables), dl = ints(cuda, lens);
        Map<String, Object> r = new LinkedHashMap<>();
        double[] us = new double[2];
        DecodeSplit[] splits = {DecodeSplit.choose(ctx, seqs, KV_HEADS, sms, BLOCK), DecodeSplit.whole(ctx, BLOCK)};
        for (int i = 0; i < 2; i++) {
            DecodeSplit split = splits[i];
            long wsBytes = CudaKernels.decodeWorkspaceBytes(seqs, HEADS, HEAD_DIM, split);
            long ws = cuda.alloc(wsBytes);
            us[i] = time(cuda, 50, () -> k.pagedDecodeAttention(DeviceDtype.F16, KvFormat.NATIVE, out, q, kc, vc, 0, 0, dt, dl, seqs,
                    perSeq, HEADS, KV_HEADS, HEAD_DIM, BLOCK, split, 0.088f, ws, wsBytes));
            cuda.free(ws);
        }
        r.put("split_partitions", splits[0].partitions());
        r.put("split_us", us[0]);
        r.put("unsplit_us", us[1]);
        r.put("speedup", us[1] / us[0]);
        r.put("kv_gb_per_s_split", 2.0 * seqs * ctx * KV_HEADS * HEAD_DIM * 2 / (us[0] * 1e-6) / 1e9);
        for (long p : new long[] {kc, vc, q, out, dt, dl}) cuda.free(p);
        return r;
    }

    static Map<String, Object> projection(CudaContext cuda, CudaKernels k, CublasLinear cublas) {
        int rows = 14336, cols = 4096;
        long w = filled(cuda, (long) rows * cols / 32 * 34, 0x31); // f16 scale 0x3131 ~ 0.17, quants 49
        long dense = cuda.alloc((long) rows * cols * 2);
        long x = filled(cuda, 64L * cols * 2, 0x2C), y = cuda.alloc(64L * rows * 2);
        Map<String, Object> r = new LinkedHashMap<>();
        Integer crossover = null;
        for (int m : new int[] {1, 2, 4, 8, 16, 32, 64}) {
            double gemv = time(cuda, 20, () -> k.gemvQ8_0(DeviceDtype.F16, y, w, x, m, rows, cols));
            double viaGemm = time(cuda, 10, () -> {
                k.dequantize(false, DeviceDtype.F16, dense, w, rows, cols);
                cublas.linear(DeviceDtype.F16, y, dense, x, m, rows, cols);
            });
            double gemmOnly = time(cuda, 10, () -> cublas.linear(DeviceDtype.F16, y, dense, x, m, rows, cols));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("gemv_us", gemv);
            row.put("dequant_plus_cublas_us", viaGemm);
            row.put("cublas_f16_only_us", gemmOnly);
            r.put("m" + m, row);
            if (crossover == null && viaGemm < gemv) crossover = m;
        }
        r.put("crossover_batch", crossover); // null: the GEMV kernel won at every batch measured
        for (long p : new long[] {w, dense, x, y}) cuda.free(p);
        return r;
    }
}
