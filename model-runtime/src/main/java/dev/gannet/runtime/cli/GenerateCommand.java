package dev.gannet.runtime.cli;

import dev.gannet.runtime.kernel.CpuKernels;
import dev.gannet.runtime.kernel.VectorKernels;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.WeightLayout;
import dev.gannet.runtime.model.Session;
import dev.gannet.runtime.parallel.Compute;
import dev.gannet.runtime.parallel.ShardingPlan;
import dev.gannet.runtime.parallel.TensorParallelForward;
import dev.gannet.runtime.sampler.Sampler;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.tokenizer.StreamingDecoder;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gannet generate}: one prompt, one sequence, no server. Only the continuation goes to
 * stdout, streamed token by token; load time and speeds go to stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a continuation of a prompt with a local model (prints only the continuation).")
public final class GenerateCommand extends CliCommand {
    @Option(names = "--model", required = true, description = "a .gguf file or a Hugging Face folder")
    Path model;

    @Option(names = "--prompt", required = true, description = "the text to continue")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "64", description = "most tokens to generate (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "nucleus sampling mass, 1 = off (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--top-k", defaultValue = "-1", description = "keep the k most likely tokens, -1 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--seed", description = "sampling seed (default: random)")
    Long seed;

    @Option(names = "--threads", description = "compute threads (default: available processors)")
    Integer threads;

    @Option(names = "--weight-layout", defaultValue = "packed", converter = LayoutConverter.class,
            description = "packed (Q8_0/Q4_0 copied once into the faster layout) or mapped (zero-copy) (default: ${DEFAULT-VALUE})")
    private WeightLayout layout;

    static final class LayoutConverter implements picocli.CommandLine.ITypeConverter<WeightLayout> {
        @Override
        public WeightLayout convert(String value) {
            return WeightLayout.parse(value);
        }
    }

    @Option(names = "--cpu-kernels", defaultValue = "native", converter = CpuKernelsConverter.class,
            description = "native (the C kernel library where built) or vector (Java Vector API) matmuls (default: ${DEFAULT-VALUE})")
    private CpuKernels cpuKernels;

    static final class CpuKernelsConverter implements picocli.CommandLine.ITypeConverter<CpuKernels> {
        @Override
        public CpuKernels convert(String value) {
            return CpuKernels.parse(value);
        }
    }

    @Option(names = "--tp", defaultValue = "1", description = "tensor-parallel ranks, thread groups sharing --threads (default: ${DEFAULT-VALUE})")
    int tp;

    /** The command, ready to add under {@code gannet}. */
    public static CommandLine commandLine() {
        return oneLineErrors(new CommandLine(new GenerateCommand()));
    }

    /** One sequence on n threads: plain, or split over --tp ranks (the split is checked here, at start-up). */
    private Session session(Model m, VectorKernels kernels, int n) {
        int ctx = Math.min(m.config().contextLength(), Session.DEFAULT_MAX_CONTEXT);
        if (tp == 1) return new Session(m, kernels, ctx);
        ShardingPlan plan = ShardingPlan.forModel(m, tp);
        return new Session(new TensorParallelForward(m, plan, Compute.of(cpuKernels), Math.max(n, tp), Session.blocksFor(ctx),
                Session.BLOCK_SIZE, 256, 1), ctx);
    }

    @Override
    int run(PrintWriter out, PrintWriter err) throws IOException {
        SamplingParams params = SamplingParams.builder().temperature(temperature).topP(topP).topK(topK)
                .seed(seed).maxTokens(maxTokens).build();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + n);
        if (!Files.exists(model)) throw new IOException(model + ": no such file or folder");
        long t0 = System.nanoTime();
        if (tp < 1) throw new IllegalArgumentException("--tp must be >= 1, got " + tp);
        try (Model m = ModelLoader.load(model, layout);
             VectorKernels kernels = tp == 1 ? new VectorKernels(n, cpuKernels) : null; // under tp each rank owns its kernels
             Session session = session(m, kernels, n)) {
            Tokenizer tok = Tokenizers.load(model);
            int vocab = m.config().vocabSize();
            if (tok.vocabSize() > vocab) {
                throw new IOException(model + ": tokenizer has " + tok.vocabSize() + " tokens but the model only " + vocab);
            }
            long t1 = System.nanoTime();
            int[] ids = tok.encode(prompt, true);
            if (ids.length == 0) throw new IllegalArgumentException("--prompt encodes to no tokens");
            Sampler sampler = new Sampler(params, vocab, tok.endOfGenerationIds());
            sampler.addPromptTokens(ids, 0, ids.length);
            float[] logits = session.prefill(ids);
            long t2 = System.nanoTime();
            StreamingDecoder decoder = tok.streamingDecoder(false);
            int generated = 0;
            int room = m.config().contextLength() - ids.length;
            while (generated < maxTokens) {
                int next = sampler.sample(logits, 0, vocab);
                generated++;
                if (tok.isEndOfGeneration(next)) break;
                out.print(decoder.accept(next));
                out.flush();
                if (generated >= maxTokens || generated > room) break;
                logits = session.decode(next);
            }
            out.print(decoder.flush());
            out.flush();
            long t3 = System.nanoTime();
            err.printf(Locale.ROOT, "%nload: %.0f ms; prompt: %d tokens, %.1f tokens/s; generated: %d tokens, %.1f tokens/s (%d threads, tp %d, matmuls: %s)%n",
                    (t1 - t0) / 1e6, ids.length, ids.length / ((t2 - t1) / 1e9), generated, generated / ((t3 - t2) / 1e9), n, tp, VectorKernels.describe(cpuKernels));
            if (session.forward() instanceof TensorParallelForward tpf) {
                err.printf(Locale.ROOT, "tensor parallel: %.1f ms in all-reduce/gather on rank 0 (%.1f%% of %.0f ms of forward steps)%n",
                        tpf.collectiveNanos() / 1e6, 100.0 * tpf.collectiveNanos() / (t3 - t1), (t3 - t1) / 1e6);
            }
            return 0;
        }
    }
}
