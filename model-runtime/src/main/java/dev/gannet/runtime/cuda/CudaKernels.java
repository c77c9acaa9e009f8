package dev.gannet.runtime.cuda;

import dev.gannet.cuda.CudaException;
import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.cuda.CudaUnavailableException;
import dev.gannet.cuda.Nvrtc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;

/**
 * Typed launchers for the kernels of gannet_kernels.fatbin (sources: model-runtime/src/main/cuda).
 * Each method validates its sizes, packs the arguments in the C order (checked against the
 * kernel's signature) and enqueues the kernel on the context's stream; nothing is synchronised.
 * Pointers are CUdeviceptr values; shapes are documented in the .cu files. The hot path allocates
 * nothing: arguments go into one reused {@link LaunchArgs}. One owner thread.
 */
public final class CudaKernels implements AutoCloseable {
    /** Classpath location of the fatbin the Maven build compiles (absent when the build had no nvcc). */
    public static final String RESOURCE = "/dev/gannet/runtime/cuda/gannet_kernels.fatbin";
    /** Dynamic shared memory the attention kernels may use (opted in at load; A100 and H100 allow more). */
    public static final int MAX_DYNAMIC_SHARED_BYTES = 96 * 1024;
    static final int DECODE_PARTITION_TOKENS = 256;
    static final int MAX_GROUP = 16;
    static final int MAX_HEAD_DIM = 256;

    /** Where a packed launch goes: the driver in production, a recorder in CPU tests. */
    interface Launcher extends AutoCloseable {
        void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, int sharedBytes, LaunchArgs args);

        @Override
        default void close() { }
    }

    private final Launcher launcher;
    private final String source;
    private final Arena arena = Arena.ofShared(); // shared: test frameworks may close from another thread
    private final LaunchArgs args = new LaunchArgs(arena);
    private final Kernel[] rmsnorm = new Kernel[3], rope = new Kernel[3], swiglu = new Kernel[3];
    private final Kernel[] decodePartial = new Kernel[3], decodeReduce = new Kernel[3], prefill = new Kernel[3];
    private final Kernel[] gemvQ8 = new Kernel[3], gemvQ4 = new Kernel[3];
    private final Kernel[][] embedding = new Kernel[3][3]; // [table][out], null where not compiled
    private final Kernel argmax, sample;

    CudaKernels(Launcher launcher, String source) {
        this.launcher = launcher;
        this.source = source;
        for (Kernel k : Kernel.catalog()) {
            String n = k.name();
            if (n.startsWith("embedding_")) {
                String[] p = n.substring("embedding_".length()).split("_");
                embedding[dtype(p[0]).ordinal()][dtype(p[1]).ordinal()] = k;
                continue;
            }
            int cut = n.lastIndexOf('_');
            String base = n.substring(0, cut);
            Kernel[] slot = switch (base) {
                case "rmsnorm_residual" -> rmsnorm;
                case "rope_kv_write" -> rope;
                case "swiglu" -> swiglu;
                case "paged_decode_partial" -> decodePartial;
                case "paged_decode_reduce" -> decodeReduce;
                case "prefill_attention" -> prefill;
                case "gemv_q8_0" -> gemvQ8;
                case "gemv_q4_0" -> gemvQ4;
                default -> null;
            };
            if (slot != null) slot[dtype(n.substring(cut + 1)).ordinal()] = k;
        }
        argmax = find("argmax_f32");
        sample = find("sample_top_k_top_p_f32");
    }

    /**
     * Loads the kernels into {@code context}: the build's fatbin from the classpath, or, when that is
     * absent or the driver rejects it (a driver older than the nvcc that built it), the same sources
     * compiled for this GPU by NVRTC, found through {@code paths}. {@link #source()} says which.
     */
    public static CudaKernels load(CudaContext context, CudaLibraryPaths paths) {
        byte[] fatbin = readFatbin();
        String why;
        if (fatbin != null) {
            try {
                return new CudaKernels(CudaModule.load(context, fatbin, RESOURCE, Kernel.catalog(), MAX_DYNAMIC_SHARED_BYTES),
                        "fatbin " + RESOURCE.substring(1));
            } catch (CudaException e) {
                if (!driverRejectsImage(e.code())) throw e;
                why = "the driver (" + context.driverVersion() + ") rejected the fatbin: " + e.getMessage();
            }
        } else {
            why = RESOURCE.substring(1) + " is not on the classpath (the build ran without nvcc)";
        }
        try {
            Nvrtc.load(paths);
        } catch (CudaUnavailableException e) {
            throw new CudaUnavailableException(why + "; the NVRTC fallback is unavailable too: " + e.getMessage(), e);
        }
        int cc = context.computeCapability();
        byte[] cubin = NvrtcCompiler.compile(cc);
        return new CudaKernels(CudaModule.load(context, cubin, "NVRTC cubin", Kernel.catalog(), MAX_DYNAMIC_SHARED_BYTES),
                "NVRTC " + NvrtcCompiler.version() + " cubin for sm_" + cc + " (" + why + ")");
    }

    /** Load failures that mean "this image is too new or not for this GPU", which NVRTC can fix. */
    static boolean driverRejectsImage(int code) {
        return code == 200 || code == 209 || code == 218 || code == 222; // INVALID_IMAGE, NO_BINARY_FOR_GPU, INVALID_PTX, UNSUPPORTED_PTX_VERSION
    }

    private static byte[] readFatbin() {
        try (InputStream in = CudaKernels.class.getResourceAsStream(RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /** Where the loaded kernels came from: the fatbin, or NVRTC and why. */
    public String source() {
        return source;
    }

    private static Kernel find(String name) {
        return Kernel.catalog().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
    }

    private static DeviceDtype dtype(String suffix) {
        for (DeviceDtype t : DeviceDtype.values()) if (t.suffix().equals(suffix)) return t;
        throw new IllegalArgumentException("no dtype " + suffix);
    }

    private void launch(Kernel k, int gx, int gy, int gz, int block, int shared) {
        if (!args.matches(k.signature())) {
            throw new IllegalStateException(k.name() + " takes (" + k.signature() + ") but was packed as (" + args.kinds() + ")");
        }
        if (gx <= 0 || gy <= 0 || gz <= 0 || gy > 65535 || gz > 65535) {
            throw new IllegalArgumentException(k.name() + ": grid (" + gx + ", " + gy + ", " + gz + ") out of range");
        }
        launcher.launch(k, gx, gy, gz, block, shared, args);
    }

    private static void positive(String what, int... values) {
        for (int v : values) if (v <= 0) throw new IllegalArgumentException(what + " must be positive: " + java.util.Arrays.toString(values));
    }

    /** out = rmsnorm(x (+ residual, stored back into residual)) * weight; residual 0 = no residual. See norm.cu. */
    public void rmsNormResidual(DeviceDtype t, long out, long residual, long x, long weight, int numTokens, int dim, float eps) {
        positive("rmsNormResidual numTokens, dim", numTokens, dim);
        args.reset().ptr(out).ptr(residual).ptr(x).ptr(weight).i32(numTokens).i32(dim).f32(eps);
        launch(rmsnorm[t.ordinal()], numTokens, 1, 1, 256, 0);
    }

    /** RoPE on q and k in place, and k, v written to the paged cache at slotMapping. See rope.cu. */
    public void ropeKvWrite(DeviceDtype t, long q, long k, long v, long keyCache, long valueCache, long positions,
                            long slotMapping, long cosTable, long sinTable, int numTokens, int numHeads, int numKvHeads,
                            int headDim, int rotaryDim, boolean neox) {
        positive("ropeKvWrite sizes", numTokens, numHeads, numKvHeads, headDim, rotaryDim);
        if (rotaryDim % 2 != 0 || rotaryDim > headDim) throw new IllegalArgumentException("rotaryDim " + rotaryDim + " vs headDim " + headDim);
        args.reset().ptr(q).ptr(k).ptr(v).ptr(keyCache).ptr(valueCache).ptr(positions).ptr(slotMapping).ptr(cosTable)
                .ptr(sinTable).i32(numTokens).i32(numHeads).i32(numKvHeads).i32(headDim).i32(rotaryDim).i32(neox ? 1 : 0);
        launch(rope[t.ordinal()], numTokens, 1, 1, 128, 0);
    }

    /** out (numTokens, n) = silu(gate) * up, input rows inStride apart. See elementwise.cu. */
    public void swiglu(DeviceDtype t, long out, long gate, long up, int numTokens, int n, int inStride) {
        positive("swiglu sizes", numTokens, n);
        if (inStride < n) throw new IllegalArgumentException("swiglu inStride " + inStride + " < n " + n);
        args.reset().ptr(out).ptr(gate).ptr(up).i32(numTokens).i32(n).i32(inStride);
        launch(swiglu[t.ordinal()], (n + 255) / 256, numTokens, 1, 256, 0);
    }

    /** out (numTokens, dim) outType = table[tokens] tableType. See elementwise.cu for the dtype pairs compiled. */
    public void embedding(DeviceDtype tableType, DeviceDtype outType, long out, long table, long tokens, int numTokens,
                          int dim, int vocab) {
        positive("embedding sizes", numTokens, dim, vocab);
        Kernel k = embedding[tableType.ordinal()][outType.ordinal()];
        if (k == null) throw new IllegalArgumentException("no embedding kernel from " + tableType + " to " + outType);
        args.reset().ptr(out).ptr(table).ptr(tokens).i32(numTokens).i32(dim).i32(vocab);
        launch(k, numTokens, 1, 1, 256, 0);
    }

    /** KV blocks one decode partition covers. */
    public static int blocksPerPartition(int blockSize) {
        return Math.max(1, DECODE_PARTITION_TOKENS / blockSize);
    }

    public static int decodePartitions(int maxContextLen, int blockSize) {
        int tokens = blocksPerPartition(blockSize) * blockSize;
        return (maxContextLen + tokens - 1) / tokens;
    }

    /** Bytes of f32 scratch {@link #pagedDecodeAttention} needs. */
    public static long decodeWorkspaceBytes(int numSeqs, int numHeads, int headDim, int blockSize, int maxContextLen) {
        long rows = (long) numSeqs * numHeads * decodePartitions(maxContextLen, blockSize);
        return rows * (headDim + 2L) * Float.BYTES;
    }

    /**
     * One decode token per sequence against its paged context, split in partitions and merged
     * exactly (attention_decode.cu). {@code workspace} holds {@link #decodeWorkspaceBytes} bytes.
     */
    public void pagedDecodeAttention(DeviceDtype t, long out, long q, long keyCache, long valueCache, long blockTables,
                                     long contextLens, int numSeqs, int maxBlocksPerSeq, int numHeads, int numKvHeads,
                                     int headDim, int blockSize, int maxContextLen, float scale, long workspace,
                                     long workspaceBytes) {
        positive("pagedDecodeAttention sizes", numSeqs, maxBlocksPerSeq, numHeads, numKvHeads, headDim, blockSize, maxContextLen);
        checkHeads(numHeads, numKvHeads, headDim);
        long need = decodeWorkspaceBytes(numSeqs, numHeads, headDim, blockSize, maxContextLen);
        if (workspaceBytes < need) throw new IllegalArgumentException("decode workspace " + workspaceBytes + " < " + need + " bytes");
        int parts = decodePartitions(maxContextLen, blockSize);
        int bpp = blocksPerPartition(blockSize);
        int group = numHeads / numKvHeads;
        int shared = group * (headDim + bpp * blockSize) * Float.BYTES;
        if (shared > MAX_DYNAMIC_SHARED_BYTES) throw new IllegalArgumentException("decode needs " + shared + " bytes of shared memory");
        long rows = (long) numSeqs * numHeads * parts;
        long partialOut = workspace, partialMax = partialOut + rows * headDim * Float.BYTES, partialSum = partialMax + rows * Float.BYTES;
        args.reset().ptr(partialOut).ptr(partialMax).ptr(partialSum).ptr(q).ptr(keyCache).ptr(valueCache).ptr(blockTables)
                .ptr(contextLens).i32(maxBlocksPerSeq).i32(numHeads).i32(numKvHeads).i32(headDim).i32(blockSize).i32(bpp).f32(scale);
        launch(decodePartial[t.ordinal()], parts, numKvHeads, numSeqs, 128, shared);
        args.reset().ptr(out).ptr(partialOut).ptr(partialMax).ptr(partialSum).i32(numHeads).i32(headDim).i32(parts);
        launch(decodeReduce[t.ordinal()], numHeads, numSeqs, 1, 128, 0);
    }

    /** Causal attention for packed prefill chunks, reading cached prefixes through block tables (attention_prefill.cu). */
    public void prefillAttention(DeviceDtype t, long out, long q, long keyCache, long valueCache, long blockTables,
                                 int maxBlocksPerSeq, long cuSeqlens, long contextLens, int numSeqs, int maxQueryLen,
                                 int numHeads, int numKvHeads, int headDim, int blockSize, float scale) {
        positive("prefillAttention sizes", maxBlocksPerSeq, numSeqs, maxQueryLen, numHeads, numKvHeads, headDim, blockSize);
        checkHeads(numHeads, numKvHeads, headDim);
        int shared = prefillSharedBytes(headDim);
        args.reset().ptr(out).ptr(q).ptr(keyCache).ptr(valueCache).ptr(blockTables).i32(maxBlocksPerSeq).ptr(cuSeqlens)
                .ptr(contextLens).i32(numSeqs).i32(numHeads).i32(numKvHeads).i32(headDim).i32(blockSize).f32(scale);
        launch(prefill[t.ordinal()], (maxQueryLen + 15) / 16, numHeads, numSeqs, 128, shared);
    }

    static int prefillSharedBytes(int headDim) {
        return (16 * headDim + 32 * (headDim + 1) + 32 * headDim) * Float.BYTES;
    }

    private static void checkHeads(int numHeads, int numKvHeads, int headDim) {
        if (numHeads % numKvHeads != 0 || numHeads / numKvHeads > MAX_GROUP) {
            throw new IllegalArgumentException("numHeads " + numHeads + " must be a multiple of numKvHeads " + numKvHeads
                    + " with at most " + MAX_GROUP + " query heads per KV head");
        }
        if (headDim > MAX_HEAD_DIM) throw new IllegalArgumentException("headDim " + headDim + " > " + MAX_HEAD_DIM);
    }

    /** outTokens (numRows) int32 = argmax of each logits row (numRows, vocab) f32. */
    public void argmax(long outTokens, long logits, int numRows, int vocab) {
        positive("argmax sizes", numRows, vocab);
        args.reset().ptr(outTokens).ptr(logits).i32(numRows).i32(vocab);
        launch(argmax, numRows, 1, 1, 1024, 0);
    }

    /** Temperature / top-k / top-p sampling per row with host-drawn uniforms (sampling.cu). */
    public void sampleTopKTopP(long outTokens, long logits, long temperatures, long topKs, long topPs, long uniforms,
                               int numRows, int vocab) {
        positive("sample sizes", numRows, vocab);
        args.reset().ptr(outTokens).ptr(logits).ptr(temperatures).ptr(topKs).ptr(topPs).ptr(uniforms).i32(numRows).i32(vocab);
        launch(sample, numRows, 1, 1, 1024, 0);
    }

    /** y (m, rows) = x (m, cols) times the Q8_0 weight (rows, cols) transposed (gemv_quant.cu). */
    public void gemvQ8_0(DeviceDtype t, long y, long w, long x, int m, int rows, int cols) {
        gemv(gemvQ8[t.ordinal()], y, w, x, m, rows, cols);
    }

    /** As {@link #gemvQ8_0} for Q4_0 weights. */
    public void gemvQ4_0(DeviceDtype t, long y, long w, long x, int m, int rows, int cols) {
        gemv(gemvQ4[t.ordinal()], y, w, x, m, rows, cols);
    }

    private void gemv(Kernel k, long y, long w, long x, int m, int rows, int cols) {
        positive(k.name() + " sizes", m, rows, cols);
        if (cols % 32 != 0) throw new IllegalArgumentException(k.name() + ": cols " + cols + " is not a multiple of 32");
        args.reset().ptr(y).ptr(w).ptr(x).i32(m).i32(rows).i32(cols);
        launch(k, (rows + 3) / 4, 1, 1, 128, 0);
    }

    @Override
    public void close() {
        try {
            launcher.close();
        } finally {
            arena.close();
        }
    }
}
