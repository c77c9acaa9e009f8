package dev.gannet.runtime.cli;

import dev.gannet.runtime.synth.LlamaShape;
import dev.gannet.runtime.synth.SyntheticModel;
import dev.gannet.runtime.tensor.GgmlType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gannet model synth}: a Llama GGUF with deterministic random weights. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a Llama GGUF with deterministic random weights (same options, same bytes).",
                "Without --vocab the built-in byte-level SentencePiece vocabulary is used."})
final class SynthCommand extends CliCommand {
    @Option(names = "--shape", required = true, description = "tiny, tinyllama-1.1b, llama-3.2-1b or llama-3-8b")
    String shape;

    @Option(names = "--dtype", defaultValue = "q8_0", description = "f32, f16, bf16, q8_0 or q4_0 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--out", required = true, description = "the .gguf file to write")
    Path out;

    @Option(names = "--vocab", description = "a GGUF whose tokenizer.* metadata to copy (its vocabulary size wins)")
    Path vocab;

    @Option(names = "--seed", defaultValue = "0", description = "weight seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "generation threads (default: available processors)")
    Integer threads;

    @Override
    int run(PrintWriter out, PrintWriter err) throws IOException {
        LlamaShape s = LlamaShape.byId(shape);
        GgmlType t = parseDtype(dtype);
        if (vocab != null && !Files.isRegularFile(vocab)) throw new IOException(vocab + ": no such file");
        Path parent = this.out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) throw new IOException(parent + ": no such directory");
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        long t0 = System.nanoTime();
        SyntheticModel.Result r = SyntheticModel.write(new SyntheticModel.Spec(s, t, seed, vocab, n), this.out);
        double secs = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "wrote %s: %s %s, vocab %d, %d tensors, %.1f MiB in %.1f s%n",
                r.path(), s.id, dtype.toLowerCase(Locale.ROOT), r.vocabSize(), r.tensors(), r.bytes() / 1048576.0, secs);
        return 0;
    }

    static GgmlType parseDtype(String d) {
        return switch (d.toLowerCase(Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            case "bf16" -> GgmlType.BF16;
            case "q8_0" -> GgmlType.Q8_0;
            case "q4_0" -> GgmlType.Q4_0;
            default -> throw new IllegalArgumentException("unknown --dtype '" + d + "' (one of: f32, f16, bf16, q8_0, q4_0)");
        };
    }
}
