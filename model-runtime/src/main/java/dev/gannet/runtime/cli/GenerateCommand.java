package dev.gannet.runtime.cli;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.runtime.backend.ComputeOptions;
import dev.gannet.runtime.backend.ForwardFactory;
import dev.gannet.runtime.backend.Device;
import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestEvent;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.WeightLayout;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.serving.LlmService;
import dev.gannet.runtime.serving.ServingOptions;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gannet generate}: one prompt through the same engine as {@code serve} (same tokenization, sampler, stop
 * rules), without a server. Only the continuation goes to stdout, streamed as it is generated; load time and
 * speeds go to stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a continuation of a prompt with a local model (prints only the continuation).")
public final class GenerateCommand extends CliCommand {
    @Option(names = "--model", required = true, description = "a .gguf file or a Hugging Face folder")
    Path model;

    @Option(names = "--prompt", required = true, description = "the text to continue (special tokens such as <s> are parsed, as the server does)")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "64", description = "most tokens to generate (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--min-tokens", defaultValue = "0", description = "EOS, stop tokens and stop strings are ignored until this many tokens (default: ${DEFAULT-VALUE})")
    int minTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "nucleus sampling mass, 1 = off (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--top-k", defaultValue = "-1", description = "keep the k most likely tokens, -1 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--min-p", defaultValue = "0", description = "drop tokens below min-p times the best one's probability (default: ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--repetition-penalty", defaultValue = "1", description = "over prompt and output, 1 = off (default: ${DEFAULT-VALUE})")
    float repetitionPenalty;

    @Option(names = "--presence-penalty", defaultValue = "0", description = "over the output, in [-2, 2] (default: ${DEFAULT-VALUE})")
    float presencePenalty;

    @Option(names = "--frequency-penalty", defaultValue = "0", description = "over the output, in [-2, 2] (default: ${DEFAULT-VALUE})")
    float frequencyPenalty;

    @Option(names = "--stop", description = "a stop string (repeatable); the output ends before it")
    List<String> stop = new ArrayList<>();

    @Option(names = "--ignore-eos", description = "keep generating past the end-of-sequence token")
    boolean ignoreEos;

    @Option(names = "--seed", description = "sampling seed (default: random)")
    Long seed;

    @Option(names = "--threads", description = "compute threads (default: available processors)")
    Integer threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--weight-layout", defaultValue = "packed", converter = LayoutConverter.class,
            description = "packed (Q8_0/Q4_0 copied once into the faster layout) or mapped (zero-copy) (default: ${DEFAULT-VALUE})")
    private WeightLayout layout;

    static final class LayoutConverter implements picocli.CommandLine.ITypeConverter<WeightLayout> {
        @Override
        public WeightLayout convert(String value) {
            return WeightLayout.parse(value);
        }
    }

    @Option(names = "--cpu-kernels", defaultValue = "native", converter = CpuComputeConverter.class,
            description = "native (the C kernel library where built), vector (Java Vector API) or reference (plain Java, one thread) (default: ${DEFAULT-VALUE})")
    private CpuCompute cpuCompute;

    static final class CpuComputeConverter implements picocli.CommandLine.ITypeConverter<CpuCompute> {
        @Override
        public CpuCompute convert(String value) {
            return CpuCompute.parse(value);
        }
    }

    @Option(names = "--tp", defaultValue = "1", description = "tensor-parallel ranks, thread groups sharing --threads (default: ${DEFAULT-VALUE})")
    int tp;

    /** Where the CUDA libraries are looked for: read from the environment once, here at the command's entry. */
    private CudaLibraryPaths cudaLibraries = CudaLibraryPaths.none();

    /** The command, ready to add under {@code gannet}. */
    public static CommandLine commandLine() {
        GenerateCommand c = new GenerateCommand();
        c.cudaLibraries = CudaLibraryPaths.fromEnvironment(System.getenv());
        return oneLineErrors(new CommandLine(c));
    }

    @Override
    int run(PrintWriter out, PrintWriter err) throws IOException {
        SamplingParams params = SamplingParams.builder().temperature(temperature).topP(topP).topK(topK).minP(minP)
                .repetitionPenalty(repetitionPenalty).presencePenalty(presencePenalty).frequencyPenalty(frequencyPenalty)
                .seed(seed).maxTokens(maxTokens).minTokens(minTokens).ignoreEos(ignoreEos).stop(stop).build();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + n);
        if (tp < 1) throw new IllegalArgumentException("--tp must be >= 1, got " + tp);
        Device dev = Device.parse(device);
        ForwardFactory.checkAvailable(dev, tp, cudaLibraries); // before the model is loaded
        if (!Files.exists(model)) throw new IOException(model + ": no such file or folder");
        long t0 = System.nanoTime();
        Tokenizer tok = Tokenizers.load(model);
        int[] ids = tok.encode(prompt, true, true); // as /v1/completions tokenizes a prompt
        if (ids.length == 0) throw new IllegalArgumentException("--prompt encodes to no tokens");
        try (Model m = ModelLoader.load(model, layout)) {
            int context = m.config().contextLength();
            if (ids.length >= context) {
                throw new IllegalArgumentException("the prompt has " + ids.length + " tokens; the model's context is " + context);
            }
            int length = Math.min(context, ids.length + maxTokens);
            long kvBytes = KvStorage.bytesFor(m.config(), (length + 15) / 16 + 2, 16, KvStorage.Precision.F32);
            // f32 on the CPU, the activation dtype on a GPU (whose cache takes what gpu_memory_utilization leaves)
            ServingOptions options = new ServingOptions(new ComputeOptions(dev, cpuCompute, n, tp, kvBytes,
                    KvStorage.Precision.AUTO, 16, 256, 1, ComputeOptions.DEFAULT_GPU_MEMORY_UTILIZATION, cudaLibraries), 1, length, true);
            try (LlmService service = new LlmService(m, tok, options)) {
                long t1 = System.nanoTime();
                LinkedBlockingQueue<RequestEvent> events = new LinkedBlockingQueue<>();
                service.submit(new Request(ids, params.withMaxTokens(Math.min(maxTokens, length - ids.length))), events::add);
                FinishInfo end = print(events, out);
                report(err, t1 - t0, ids.length, end, service);
                return 0;
            }
        }
    }

    /** Writes each event's text as it arrives; returns how the request ended. */
    private static FinishInfo print(LinkedBlockingQueue<RequestEvent> events, PrintWriter out) {
        while (true) {
            RequestEvent e;
            try {
                e = events.take();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            out.print(e.text());
            out.flush();
            if (e.finished()) {
                if (e.finish().error() != null) throw new IllegalStateException("generation failed: " + e.finish().error());
                return e.finish();
            }
        }
    }

    private void report(PrintWriter err, long loadNanos, int promptTokens, FinishInfo end, LlmService service) {
        int generated = end.generatedTokens();
        double prefill = end.prefillNanos() / 1e9;
        double decode = end.decodeNanos() / 1e9;
        err.printf(Locale.ROOT, "%nload: %.0f ms; prompt: %d tokens, %.1f tokens/s; generated: %d tokens, %.1f tokens/s"
                        + " (%s, %d threads, %s, matmuls: %s; finish_reason %s)%n",
                loadNanos / 1e6, promptTokens, prefill > 0 ? promptTokens / prefill : 0,
                generated, generated > 1 && decode > 0 ? (generated - 1) / decode : 0,
                service.device(), service.threads(), service.sharding(), cpuCompute.describe(), end.reason().wireName());
    }
}
