package dev.gannet.runtime.cuda.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gannet.cuda.CudaDriver;
import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.runtime.cuda.CudaBackend;
import dev.gannet.runtime.cuda.CudaContext;
import dev.gannet.runtime.cuda.CudaOptions;
import dev.gannet.runtime.cuda.CudaTuning;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.WeightLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPU benchmark scripts/gpu-check.sh runs on the device (a main, not a test: it measures, it asserts nothing).
 * {@code model MODEL LABEL OUT.json}: decode steps per second at batch 1, 8, 32, 64, 128 (512-token contexts, CUDA
 * graphs on, the logits of every sequence copied back as the server needs them), the HBM bandwidth that batch 1
 * achieves against the device's peak (memory clock x bus width), prefill of one 512- and one 2048-token prompt.
 * {@code kernels OUT.json}: {@link KernelBench}: decode attention on the Llama-3-8B head shape at 8k and 32k
 * context with and without the split, and the quantized GEMV against dequantize + cuBLAS by batch (the crossover
 * behind {@code CudaTuning.gemvMaxTokens}). Wall-clock times around device work that ends with a synchronize.
 */
public final class GpuBench {
    static final int BLOCK = 16, CONTEXT = 512, STEPS = 24;
    static final int[] BATCHES = {1, 8, 32, 64, 128};

    private GpuBench() { }

    public static void main(String[] args) throws Exception {
        CudaLibraryPaths paths = CudaLibraryPaths.fromEnvironment(System.getenv());
        Map<String, Object> out;
        try {
            out = switch (args.length > 0 ? args[0] : "") {
                case "model" -> model(Path.of(args[1]), args[2], paths);
                case "kernels" -> KernelBench.run(paths);
                default -> throw new IllegalArgumentException("usage: GpuBench model MODEL LABEL OUT.json | kernels OUT.json");
            };
        } catch (dev.gannet.cuda.CudaUnavailableException e) {
            System.err.println("GpuBench: no CUDA device: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path file = Path.of(args[args.length - 1]);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), out);
        System.out.println(Files.readString(file));
    }

    static CudaOptions options(CudaLibraryPaths paths, CudaTuning tuning) {
        return new CudaOptions(0, 1, false, 0.9, KvStorage.Precision.AUTO, BLOCK, 2048, 128, tuning, paths);
    }

    static Map<String, Object> model(Path path, String label, CudaLibraryPaths paths) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", path.getFileName().toString());
        r.put("label", label);
        try (Model m = ModelLoader.load(path, WeightLayout.MAPPED)) {
            long t0 = System.nanoTime();
            try (CudaBackend b = CudaBackend.open(m, options(paths, CudaTuning.defaults()))) {
                r.put("load_seconds", (System.nanoTime() - t0) / 1e9);
                r.put("device_memory", b.memory());
                r.put("dtype", b.dtype().suffix());
                Map<String, Object> decode = new LinkedHashMap<>();
                for (int batch : BATCHES) decode.put(Integer.toString(batch), decode(b, batch));
                r.put("decode", decode);
                r.put("batch64_over_batch1_step", (double) stepMs(decode, 64) / stepMs(decode, 1));
                r.put("hbm", bandwidth(b, m.config(), stepMs(decode, 1)));
                Map<String, Object> prefill = new LinkedHashMap<>();
                for (int n : new int[] {512, 2048}) prefill.put(Integer.toString(n), prefill(b, n));
                r.put("prefill", prefill);
            }
        }
        return r;
    }

    static double stepMs(Map<String, Object> decode, int batch) {
        @SuppressWarnings("unchecked") Map<String, Object> d = (Map<String, Object>) decode.get(Integer.toString(batch));
        return (double) d.get("step_ms");
    }

    /** {@code batch} sequences, each prefilled to CONTEXT tokens, then STEPS decode steps of all of them. */
    static Map<String, Object> decode(CudaBackend b, int batch) {
        int vocab = b.model().config().vocabSize();
        int blocksPerSeq = (CONTEXT + STEPS + 8 + BLOCK - 1) / BLOCK;
        int[][] tables = new int[batch][blocksPerSeq];
        for (int s = 0; s < batch; s++) for (int i = 0; i < blocksPerSeq; i++) tables[s][i] = 1 + s * blocksPerSeq + i;
        long t0 = System.nanoTime();
        for (int s = 0; s < batch; s += 4) b.forward(prefillBatch(tables, s, Math.min(batch, s + 4), vocab)); // 4 x 512 tokens a step
        double prefillSeconds = (System.nanoTime() - t0) / 1e9;
        List<ForwardBatch> steps = new ArrayList<>();
        for (int k = 0; k < STEPS + 3; k++) steps.add(decodeStep(tables, batch, CONTEXT + k, vocab));
        for (int k = 0; k < 3; k++) b.forward(steps.get(k)); // graph capture and warm-up
        long t1 = System.nanoTime();
        for (int k = 3; k < STEPS + 3; k++) b.forward(steps.get(k));
        double ms = (System.nanoTime() - t1) / 1e6 / STEPS;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step_ms", ms);
        r.put("tokens_per_second", batch * 1000 / ms);
        r.put("logits_bytes_per_step", (long) batch * vocab * 4);
        r.put("prefill_of_the_contexts_seconds", prefillSeconds);
        return r;
    }

    /** Sequences [from, to) prefilled together to CONTEXT tokens: one ragged step, logits of each last token. */
    static ForwardBatch prefillBatch(int[][] tables, int from, int to, int vocab) {
        int seqs = to - from, n = seqs * CONTEXT;
        int[] tokens = new int[n], positions = new int[n], slots = new int[n], cu = new int[seqs + 1], ctx = new int[seqs], logits = new int[seqs];
        int[][] t = new int[seqs][];
        for (int s = 0; s < seqs; s++) {
            t[s] = tables[from + s];
            cu[s + 1] = (s + 1) * CONTEXT;
            ctx[s] = CONTEXT;
            logits[s] = (s + 1) * CONTEXT - 1;
            for (int i = 0; i < CONTEXT; i++) {
                int at = s * CONTEXT + i;
                tokens[at] = (7 + 31 * i + s) % vocab;
                positions[at] = i;
                slots[at] = t[s][i / BLOCK] * BLOCK + i % BLOCK;
            }
        }
        return new ForwardBatch(tokens, positions, cu, ctx, t, BLOCK, slots, logits);
    }

    static ForwardBatch decodeStep(int[][] tables, int batch, int position, int vocab) {
        int[] tokens = new int[batch], positions = new int[batch], cu = new int[batch + 1], ctx = new int[batch], slots = new int[batch];
        int[] logits = new int[batch];
        for (int s = 0; s < batch; s++) {
            tokens[s] = (s * 13 + position) % vocab;
            positions[s] = position;
            cu[s + 1] = s + 1;
            ctx[s] = position + 1;
            slots[s] = tables[s][position / BLOCK] * BLOCK + position % BLOCK;
            logits[s] = s;
        }
        return new ForwardBatch(tokens, positions, cu, ctx, tables, BLOCK, slots, logits);
    }

    /** Batch 1: weights read once (the embedding only one row), plus the KV of the context, over the step time. */
    static Map<String, Object> bandwidth(CudaBackend b, ModelConfig c, double stepMs) {
        long embedding = (long) c.vocabSize() * c.dim() * b.dtype().bytes();
        long kv = 2L * c.numLayers() * (CONTEXT + STEPS) * c.kvDim() * b.dtype().bytes();
        long bytes = b.memory().weights() - embedding + kv;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bytes_per_step", bytes);
        double achieved = bytes / (stepMs / 1e3);
        r.put("achieved_gb_per_s", achieved / 1e9);
        long[] peak = peakBandwidth(b);
        r.put("memory_clock_khz", peak[1]);
        r.put("bus_width_bits", peak[2]);
        r.put("peak_gb_per_s", peak[0] / 1e9);
        r.put("fraction_of_peak", peak[0] > 0 ? achieved / peak[0] : null);
        return r;
    }

    /** {peak bytes/s, memory clock kHz, bus width bits}: HBM is double data rate, so 2 x clock x width / 8. */
    static long[] peakBandwidth(CudaBackend b) {
        try (CudaContext cuda = CudaContext.open(CudaLibraryPaths.none(), 0)) {
            long clock = cuda.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
            long width = cuda.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
            return new long[] {2 * clock * 1000 * width / 8, clock, width};
        }
    }

    static Map<String, Object> prefill(CudaBackend b, int n) {
        int vocab = b.model().config().vocabSize();
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = (11 + 17 * i) % vocab;
        int[] table = new int[(n + BLOCK - 1) / BLOCK];
        for (int i = 0; i < table.length; i++) table[i] = 1 + i;
        b.forward(ForwardBatch.single(tokens, 0, table, BLOCK)); // warm-up (cuBLAS heuristics)
        double best = Double.MAX_VALUE;
        for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime();
            b.forward(ForwardBatch.single(tokens, 0, table, BLOCK));
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seconds", best);
        r.put("tokens_per_second", n / best);
        return r;
    }

}
