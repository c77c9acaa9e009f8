package dev.gannet.runtime.synth;

import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufWriter;
import dev.gannet.runtime.gguf.GgufWriter.TensorContent;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.Quantizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a Llama GGUF with deterministic random weights: the same spec gives the same bytes. Each
 * row's values come from an RNG seeded by (seed, tensor name, row), so rows are generated and
 * quantized in parallel chunks and streamed to disk in order, never holding the model in memory.
 * Matrices get roughly normal values with standard deviation 1/sqrt(fan_in); norms are 1.0.
 */
public final class SyntheticModel {
    private static final int CHUNK_BYTES = 4 << 20;
    /**
     * Random weights give a near-uniform next-token distribution, mostly over byte tokens that decode
     * to invalid UTF-8. With the built-in vocabulary, every embedding row holds a constant in
     * dimension 0 that no layer reads or writes (zero column 0 of the input projections, zero row 0
     * of the output projections), so the final hidden state always has a large positive dimension 0;
     * the output rows of non-printable tokens weigh it negatively, which all but bans them, and
     * generation is printable ASCII gibberish.
     */
    static final float STEER_EMBED = 8f, STEER_OUTPUT = -2f;

    /** Changes a generated row before it is quantized. */
    @FunctionalInterface
    private interface RowAdjust {
        void apply(int row, float[] values);
    }

    /**
     * @param vocab   a GGUF whose {@code tokenizer.*} keys are copied (its size wins), or null for {@link BuiltinVocab}
     * @param threads generation threads (at least 1)
     */
    public record Spec(LlamaShape shape, GgmlType dtype, long seed, Path vocab, int threads) {
        public Spec {
            if (shape == null || dtype == null) throw new IllegalArgumentException("shape and dtype are required");
            if (!Quantizer.canWrite(dtype)) throw new IllegalArgumentException("dtype " + dtype + " cannot be written (f32, f16, bf16, q8_0, q4_0)");
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** What was written. */
    public record Result(Path path, long bytes, int vocabSize, int tensors) {}

    private SyntheticModel() {}

    /** llama.cpp's {@code general.file_type} for a model whose matrices are all {@code t}. */
    static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no file type for " + t);
        };
    }

    /** Writes the model to {@code out} atomically (a temporary file beside it, then a rename). */
    public static Result write(Spec spec, Path out) throws IOException {
        Path abs = out.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        ExecutorService pool = Executors.newFixedThreadPool(spec.threads(), r -> {
            Thread t = new Thread(r, "synth-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            GgufWriter w = new GgufWriter();
            int vocab = metadata(w, spec);
            int tensors = addTensors(w, spec, vocab, pool);
            long bytes = w.write(tmp);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Result(abs, bytes, vocab, tensors);
        } finally {
            pool.shutdownNow();
            Files.deleteIfExists(tmp);
        }
    }

    private static int metadata(GgufWriter w, Spec spec) throws IOException {
        LlamaShape s = spec.shape();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "gannet-synth-" + s.id);
        w.putU32("general.alignment", w.alignment());
        w.putU32("general.file_type", fileType(spec.dtype()));
        w.putU32("general.quantization_version", 2);
        w.putString("gannet.synth.shape", s.id);
        w.putU64("gannet.synth.seed", spec.seed());
        int vocab;
        if (spec.vocab() != null) {
            vocab = copyVocab(w, spec.vocab());
        } else {
            vocab = s.vocabSize > 0 ? s.vocabSize : BuiltinVocab.baseSize();
            BuiltinVocab.write(w, vocab);
        }
        w.putU32("llama.vocab_size", vocab);
        w.putU32("llama.context_length", s.context);
        w.putU32("llama.embedding_length", s.dim);
        w.putU32("llama.block_count", s.layers);
        w.putU32("llama.feed_forward_length", s.ffn);
        w.putU32("llama.attention.head_count", s.heads);
        w.putU32("llama.attention.head_count_kv", s.kvHeads);
        w.putU32("llama.rope.dimension_count", s.headDim());
        w.putF32("llama.rope.freq_base", s.ropeTheta);
        w.putF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        return vocab;
    }

    private static int copyVocab(GgufWriter w, Path vocabFile) throws IOException {
        try (GgufFile f = GgufFile.open(vocabFile)) {
            int n = 0;
            for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
                if (e.getKey().startsWith("tokenizer.")) { w.put(e.getKey(), e.getValue()); n++; }
            }
            if (n == 0 || !f.has("tokenizer.ggml.tokens")) throw new IOException(vocabFile + ": no tokenizer.ggml.tokens (not a vocabulary GGUF)");
            return f.getStringArray("tokenizer.ggml.tokens").size();
        }
    }

    private static int addTensors(GgufWriter w, Spec spec, int vocab, ExecutorService pool) {
        LlamaShape s = spec.shape();
        GgmlType t = spec.dtype();
        int kvDim = s.kvHeads * s.headDim();
        int count = 0;
        // With the built-in vocabulary, steer generation to printable text (see STEER_EMBED).
        boolean steer = spec.vocab() == null;
        count += matrix(w, spec, pool, "token_embd.weight", t, vocab, s.dim, steer ? (r, row) -> row[0] = STEER_EMBED : null);
        // the layers neither read nor write dimension 0, so it stays STEER_EMBED all the way up
        RowAdjust in = steer ? (r, row) -> row[0] = 0 : null;
        RowAdjust outProj = steer ? (r, row) -> { if (r == 0) java.util.Arrays.fill(row, 0f); } : null;
        for (int l = 0; l < s.layers; l++) {
            String p = "blk." + l + ".";
            count += ones(w, p + "attn_norm.weight", s.dim);
            count += matrix(w, spec, pool, p + "attn_q.weight", t, s.dim, s.dim, in);
            count += matrix(w, spec, pool, p + "attn_k.weight", t, kvDim, s.dim, in);
            count += matrix(w, spec, pool, p + "attn_v.weight", t, kvDim, s.dim, in);
            count += matrix(w, spec, pool, p + "attn_output.weight", t, s.dim, s.dim, outProj);
            count += ones(w, p + "ffn_norm.weight", s.dim);
            count += matrix(w, spec, pool, p + "ffn_gate.weight", t, s.ffn, s.dim, in);
            count += matrix(w, spec, pool, p + "ffn_up.weight", t, s.ffn, s.dim, in);
            count += matrix(w, spec, pool, p + "ffn_down.weight", t, s.dim, s.ffn, outProj);
        }
        count += ones(w, "output_norm.weight", s.dim);
        if (!s.tiedEmbeddings) {
            count += matrix(w, spec, pool, "output.weight", t, vocab, s.dim,
                    steer ? (r, row) -> row[0] = BuiltinVocab.printable(r) ? 0 : STEER_OUTPUT : null);
        }
        if (s.llama3RopeScaling) {
            float[] f = s.llama3RopeFactors();
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {f.length}, sink -> sink.write(f32Bytes(f), 0, 4 * f.length));
            count++;
        }
        return count;
    }

    private static int ones(GgufWriter w, String name, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        w.addTensor(name, GgmlType.F32, new long[] {n}, sink -> sink.write(f32Bytes(v), 0, 4 * n));
        return 1;
    }

    private static byte[] f32Bytes(float[] v) {
        byte[] b = new byte[4 * v.length];
        Quantizer.quantizeRow(GgmlType.F32, v, 0, v.length, b, 0);
        return b;
    }

    /** A rows x cols matrix ({@code {cols, rows}} in ggml order), generated and quantized in parallel chunks. */
    private static int matrix(GgufWriter w, Spec spec, ExecutorService pool, String name, GgmlType type, int rows, int cols, RowAdjust adjust) {
        long tensorSeed = mix(spec.seed() ^ fnv1a(name));
        float std = (float) (1 / Math.sqrt(cols));
        long rowBytes = type.bytesFor(cols);
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / rowBytes));
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        TensorContent content = sink -> {
            ArrayDeque<Future<byte[]>> window = new ArrayDeque<>();
            int next = 0;
            while (next < chunks || !window.isEmpty()) {
                while (next < chunks && window.size() < 2 * spec.threads()) {
                    int r0 = next++ * rowsPerChunk;
                    int r1 = Math.min(rows, r0 + rowsPerChunk);
                    window.add(pool.submit(() -> chunk(type, cols, r0, r1, tensorSeed, std, adjust)));
                }
                byte[] b = await(window.poll(), name);
                sink.write(b, 0, b.length);
            }
        };
        w.addTensor(name, type, new long[] {cols, rows}, content);
        return 1;
    }

    private static byte[] await(Future<byte[]> f, String name) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating " + name, e);
        } catch (ExecutionException e) {
            throw new IOException("generating " + name + " failed: " + e.getCause(), e.getCause());
        }
    }

    private static byte[] chunk(GgmlType type, int cols, int r0, int r1, long tensorSeed, float std, RowAdjust adjust) {
        long rowBytes = type.bytesFor(cols);
        byte[] out = new byte[(int) ((r1 - r0) * rowBytes)];
        float[] row = new float[cols];
        for (int r = r0; r < r1; r++) {
            fillRow(row, tensorSeed, r, std);
            if (adjust != null) adjust.apply(r, row);
            Quantizer.quantizeRow(type, row, 0, cols, out, (int) ((r - r0) * rowBytes));
        }
        return out;
    }

    // Irwin-Hall: the sum of four 16-bit uniforms from one 64-bit draw is close enough to normal
    private static final double SUM4_MEAN = 4 * 32767.5;
    private static final double SUM4_SD = Math.sqrt(4 * (65536.0 * 65536.0 - 1) / 12);

    static void fillRow(float[] row, long tensorSeed, long r, float std) {
        long state = mix(tensorSeed + r * 0x9E3779B97F4A7C15L);
        float scale = (float) (std / SUM4_SD);
        for (int i = 0; i < row.length; i++) {
            long z = mix(state += 0x9E3779B97F4A7C15L);
            long sum = (z & 0xffff) + ((z >>> 16) & 0xffff) + ((z >>> 32) & 0xffff) + (z >>> 48);
            row[i] = (float) (sum - SUM4_MEAN) * scale;
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return h;
    }
}
