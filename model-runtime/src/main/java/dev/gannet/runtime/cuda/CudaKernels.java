package dev.gannet.runtime.cuda;

import dev.gannet.cuda.CudaException;
import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.cuda.CudaUnavailableException;
import dev.gannet.cuda.Nvrtc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;

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
    /** Tokens whose scores pass 1 of decode attention holds in shared memory at once (GANNET_DECODE_CHUNK). */
    static final int DECODE_CHUNK_TOKENS = 256;
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
    private final Map<String, Kernel> byName = new HashMap<>();
    private final Kernel[] rmsnorm = new Kernel[3], swiglu = new Kernel[3], decodeReduce = new Kernel[3];
    private final Kernel[] biasAdd = new Kernel[3], vectorAdd = new Kernel[3];
    private final Kernel[][] rope = new Kernel[3][3], decodePartial = new Kernel[3][3], prefill = new Kernel[3][3]; // [format][dtype]
    private final Kernel[][][] gemv = new Kernel[2][3][3]; // [q4?][x dtype][y dtype], null where not compiled
    private final Kernel[][] dequant = new Kernel[2][3];   // [q4?][out dtype]
    private final Kernel[][] embedding = new Kernel[3][3]; // [table][out], null where not compiled
    private final Kernel argmax, sample;

    CudaKernels(Launcher launcher, String source) {
        this.launcher = launcher;
        this.source = source;
        for (Kernel k : Kernel.catalog()) byName.put(k.name(), k);
        for (DeviceDtype t : DeviceDtype.values()) {
            int i = t.ordinal();
            String s = t.suffix();
            rmsnorm[i] = kernel("rmsnorm_residual_" + s);
            swiglu[i] = kernel("swiglu_" + s);
            decodeReduce[i] = kernel("paged_decode_reduce_" + s);
            biasAdd[i] = kernel("bias_add_" + s);
            vectorAdd[i] = kernel("vector_add_" + s);
            for (KvFormat f : KvFormat.values()) {
                rope[f.ordinal()][i] = kernel("rope_kv_write_" + f.infix() + s);
                decodePartial[f.ordinal()][i] = kernel("paged_decode_partial_" + f.infix() + s);
                prefill[f.ordinal()][i] = kernel("prefill_attention_" + f.infix() + s);
            }
            for (int q4 = 0; q4 < 2; q4++) {
                String w = q4 == 1 ? "q4_0" : "q8_0";
                gemv[q4][i][i] = kernel("gemv_" + w + "_" + s);
                if (t != DeviceDtype.F32) gemv[q4][i][DeviceDtype.F32.ordinal()] = kernel("gemv_" + w + "_" + s + "_f32");
                dequant[q4][i] = kernel("dequant_" + w + "_" + s);
            }
            for (DeviceDtype o : DeviceDtype.values()) embedding[i][o.ordinal()] = byName.get("embedding_" + s + "_" + o.suffix());
        }
        argmax = kernel("argmax_f32");
        sample = kernel("sample_top_k_top_p_f32");
    }

    private Kernel kernel(String name) {
        Kernel k = byName.get(name);
        if (k == null) throw new IllegalStateException("kernel catalog lacks " + name);
        return k;
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

    /**
     * RoPE on q and k in place, and k, v written to the paged cache at slotMapping in {@code format} (rope.cu);
     * {@code keyScales}/{@code valueScales} are the format's scale regions (0 for {@link KvFormat#NATIVE}).
     */
    public void ropeKvWrite(DeviceDtype t, KvFormat format, long q, long k, long v, long keyCache, long valueCache,
                            long keyScales, long valueScales, long positions, long slotMapping, long cosTable, long sinTable,
                            int numTokens, int numHeads, int numKvHeads, int headDim, int rotaryDim, boolean neox) {
        positive("ropeKvWrite sizes", numTokens, numHeads, numKvHeads, headDim, rotaryDim);
        if (rotaryDim % 2 != 0 || rotaryDim > headDim) throw new IllegalArgumentException("rotaryDim " + rotaryDim + " vs headDim " + headDim);
        checkFormat(format, headDim, keyScales, valueScales);
        args.reset().ptr(q).ptr(k).ptr(v).ptr(keyCache).ptr(valueCache).ptr(keyScales).ptr(valueScales).ptr(positions)
                .ptr(slotMapping).ptr(cosTable).ptr(sinTable).i32(numTokens).i32(numHeads).i32(numKvHeads).i32(headDim)
                .i32(rotaryDim).i32(neox ? 1 : 0);
        launch(rope[format.ordinal()][t.ordinal()], numTokens, 1, 1, 128, 0);
    }

    /** As above for a cache in the activation dtype (no scales). */
    public void ropeKvWrite(DeviceDtype t, long q, long k, long v, long keyCache, long valueCache, long positions,
                            long slotMapping, long cosTable, long sinTable, int numTokens, int numHeads, int numKvHeads,
                            int headDim, int rotaryDim, boolean neox) {
        ropeKvWrite(t, KvFormat.NATIVE, q, k, v, keyCache, valueCache, 0, 0, positions, slotMapping, cosTable, sinTable,
                numTokens, numHeads, numKvHeads, headDim, rotaryDim, neox);
    }

    private static void checkFormat(KvFormat format, int headDim, long keyScales, long valueScales) {
        if (format == KvFormat.Q8_0 && headDim % 32 != 0) {
            throw new IllegalArgumentException("a q8_0 KV cache needs a head dimension divisible by 32, got " + headDim);
        }
        if (format != KvFormat.NATIVE && (keyScales == 0 || valueScales == 0)) {
            throw new IllegalArgumentException("a " + format + " KV cache needs its scale regions");
        }
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

    /** Bytes of dynamic shared memory pass 1 of decode attention takes (attention_decode.cu). */
    static int decodeSharedBytes(int group, int headDim) {
        return (group * headDim + group * DECODE_CHUNK_TOKENS + 3 * group) * Float.BYTES;
    }

    /** Bytes of f32 workspace {@link #pagedDecodeAttention} needs for this many sequences and this split. */
    public static long decodeWorkspaceBytes(int numSeqs, int numHeads, int headDim, DecodeSplit split) {
        return (long) numSeqs * split.partitions() * numHeads * (headDim + 2L) * Float.BYTES;
    }

    /**
     * One decode token per sequence against its paged context, split as {@code split} says and merged exactly
     * (attention_decode.cu). {@code split} must cover every context of the batch; {@code workspace} holds
     * {@link #decodeWorkspaceBytes} bytes.
     */
    public void pagedDecodeAttention(DeviceDtype t, KvFormat format, long out, long q, long keyCache, long valueCache,
                                     long keyScales, long valueScales, long blockTables, long contextLens, int numSeqs,
                                     int maxBlocksPerSeq, int numHeads, int numKvHeads, int headDim, int blockSize,
                                     DecodeSplit split, float scale, long workspace, long workspaceBytes) {
        positive("pagedDecodeAttention sizes", numSeqs, maxBlocksPerSeq, numHeads, numKvHeads, headDim, blockSize);
        checkHeads(numHeads, numKvHeads, headDim);
        checkFormat(format, headDim, keyScales, valueScales);
        long need = decodeWorkspaceBytes(numSeqs, numHeads, headDim, split);
        if (workspaceBytes < need) throw new IllegalArgumentException("decode workspace " + workspaceBytes + " < " + need + " bytes");
        int parts = split.partitions();
        int shared = decodeSharedBytes(numHeads / numKvHeads, headDim);
        long rows = (long) numSeqs * numHeads * parts;
        long partialOut = workspace, partialMax = partialOut + rows * headDim * Float.BYTES, partialSum = partialMax + rows * Float.BYTES;
        args.reset().ptr(partialOut).ptr(partialMax).ptr(partialSum).ptr(q).ptr(keyCache).ptr(valueCache).ptr(keyScales)
                .ptr(valueScales).ptr(blockTables).ptr(contextLens).i32(maxBlocksPerSeq).i32(numHeads).i32(numKvHeads)
                .i32(headDim).i32(blockSize).i32(split.blocksPerPartition()).f32(scale);
        launch(decodePartial[format.ordinal()][t.ordinal()], parts, numKvHeads, numSeqs, 128, shared);
        args.reset().ptr(out).ptr(partialOut).ptr(partialMax).ptr(partialSum).i32(numHeads).i32(headDim).i32(parts);
        launch(decodeReduce[t.ordinal()], numHeads, numSeqs, 1, 128, 0);
    }

    /** Causal attention for packed prefill chunks, reading cached prefixes through block tables (attention_prefill.cu). */
    public void prefillAttention(DeviceDtype t, KvFormat format, long out, long q, long keyCache, long valueCache,
                                 long keyScales, long valueScales, long blockTables, int maxBlocksPerSeq, long cuSeqlens,
                                 long contextLens, int numSeqs, int maxQueryLen, int numHeads, int numKvHeads, int headDim,
                                 int blockSize, float scale) {
        positive("prefillAttention sizes", maxBlocksPerSeq, numSeqs, maxQueryLen, numHeads, numKvHeads, headDim, blockSize);
        checkHeads(numHeads, numKvHeads, headDim);
        checkFormat(format, headDim, keyScales, valueScales);
        int shared = prefillSharedBytes(headDim);
        args.reset().ptr(out).ptr(q).ptr(keyCache).ptr(valueCache).ptr(keyScales).ptr(valueScales).ptr(blockTables)
                .i32(maxBlocksPerSeq).ptr(cuSeqlens).ptr(contextLens).i32(numSeqs).i32(numHeads).i32(numKvHeads)
                .i32(headDim).i32(blockSize).f32(scale);
        launch(prefill[format.ordinal()][t.ordinal()], (maxQueryLen + 15) / 16, numHeads, numSeqs, 128, shared);
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

    /** x (numTokens, n) += bias (n) on every row (elementwise.cu). */
    public void biasAdd(DeviceDtype t, long x, long bias, int numTokens, int n) {
        positive("biasAdd sizes", numTokens, n);
        args.reset().ptr(x).ptr(bias).i32(numTokens).i32(n);
        launch(biasAdd[t.ordinal()], (n + 255) / 256, numTokens, 1, 256, 0);
    }

    /** out (n) = a + b; out may alias a (elementwise.cu). */
    public void vectorAdd(DeviceDtype t, long out, long a, long b, int n) {
        positive("vectorAdd size", n);
        args.reset().ptr(out).ptr(a).ptr(b).i32(n);
        launch(vectorAdd[t.ordinal()], (n + 255) / 256, 1, 1, 256, 0);
    }

    /** out (numRows, dim) = in[rows[i]] for a table of {@code inRows} rows: the embedding kernel as a row gather. */
    public void gatherRows(DeviceDtype t, long out, long in, long rows, int numRows, int dim, int inRows) {
        embedding(t, t, out, in, rows, numRows, dim, inRows);
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

    /** y (m, rows) = x (m, cols) times the Q8_0 weight (rows, cols) transposed, x and y in t (gemv_quant.cu). */
    public void gemvQ8_0(DeviceDtype t, long y, long w, long x, int m, int rows, int cols) {
        gemv(false, t, t, y, w, x, m, rows, cols);
    }

    /** As {@link #gemvQ8_0} for Q4_0 weights. */
    public void gemvQ4_0(DeviceDtype t, long y, long w, long x, int m, int rows, int cols) {
        gemv(true, t, t, y, w, x, m, rows, cols);
    }

    /**
     * y (m, rows) in {@code yt} = x (m, cols) in {@code xt} times a Q4_0 ({@code q4}) or Q8_0 weight transposed;
     * yt is xt, or f32 (logits) for 16-bit x.
     */
    public void gemv(boolean q4, DeviceDtype xt, DeviceDtype yt, long y, long w, long x, int m, int rows, int cols) {
        Kernel k = gemv[q4 ? 1 : 0][xt.ordinal()][yt.ordinal()];
        if (k == null) throw new IllegalArgumentException("no quantized GEMV from " + xt + " to " + yt);
        positive(k.name() + " sizes", m, rows, cols);
        if (cols % 32 != 0) throw new IllegalArgumentException(k.name() + ": cols " + cols + " is not a multiple of 32");
        args.reset().ptr(y).ptr(w).ptr(x).i32(m).i32(rows).i32(cols);
        launch(k, (rows + 3) / 4, 1, 1, 128, 0);
    }

    /** out (rows, cols) in t = the Q4_0 ({@code q4}) or Q8_0 weight w dequantized (gemv_quant.cu). */
    public void dequantize(boolean q4, DeviceDtype t, long out, long w, int rows, int cols) {
        Kernel k = dequant[q4 ? 1 : 0][t.ordinal()];
        positive(k.name() + " sizes", rows, cols);
        if (cols % 32 != 0) throw new IllegalArgumentException(k.name() + ": cols " + cols + " is not a multiple of 32");
        long blocks = (long) rows * (cols / 32);
        if ((blocks + 7) / 8 > Integer.MAX_VALUE) throw new IllegalArgumentException(k.name() + ": " + rows + "x" + cols + " is too large for one launch");
        args.reset().ptr(out).ptr(w).i32(rows).i32(cols);
        launch(k, (int) ((blocks + 7) / 8), 1, 1, 256, 0);
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
