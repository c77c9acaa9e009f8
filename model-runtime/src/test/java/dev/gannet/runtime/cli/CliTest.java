package dev.gannet.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertUserError(Run r, String mentions) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(mentions), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void synthThenInspect() throws Exception {
        Path out = dir.resolve("m.gguf");
        Run s = run(ModelCommand.commandLine(), "synth", "--shape", "tiny", "--dtype", "q4_0", "--out", out.toString(), "--seed", "9");
        assertEquals(0, s.code(), s.err());
        assertTrue(Files.size(out) > 1_000_000);
        Run i = run(ModelCommand.commandLine(), "inspect", out.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("architecture:  llama"), i.out());
        assertTrue(i.out().contains("dim:           256"), i.out());
        assertTrue(i.out().contains("kv heads:      2"), i.out());
        assertTrue(i.out().contains("tensors Q4_0:  30"), i.out());
        assertTrue(i.out().contains("chat template: yes"), i.out());
        Run j = run(ModelCommand.commandLine(), "inspect", "--json", out.toString());
        assertTrue(j.out().startsWith("{\"format\":\"gguf v3\""), j.out());
    }

    @Test
    void inspectReadsAHuggingFaceFolder() {
        Run i = run(ModelCommand.commandLine(), "inspect", TestModels.path("tiny-qwen2-hf-bf16").toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("architecture:  qwen2"), i.out());
        assertTrue(i.out().contains("vocab:         50257"), i.out());
        assertTrue(i.out().contains("tensors BF16:"), i.out());
        assertTrue(i.out().contains("chat template: yes"), i.out());
    }

    @Test
    void badInputExitsTwoWithOneLine() {
        assertUserError(run(ModelCommand.commandLine(), "inspect", dir.resolve("missing.gguf").toString()), "missing.gguf");
        assertUserError(run(ModelCommand.commandLine(), "synth", "--shape", "huge", "--out", dir.resolve("x.gguf").toString()), "unknown shape");
        assertUserError(run(ModelCommand.commandLine(), "synth", "--shape", "tiny", "--dtype", "q5_k", "--out", dir.resolve("x.gguf").toString()), "--dtype");
        assertUserError(run(ModelCommand.commandLine(), "synth", "--shape", "tiny", "--out", dir.resolve("no/such/dir/x.gguf").toString()), "no such directory");
        assertUserError(run(ModelCommand.commandLine(), "synth", "--shape", "tiny"), "--out");
        assertUserError(run(GenerateCommand.commandLine(), "--model", "x", "--prompt", "p", "--max-tokens", "many"), "--max-tokens");
        assertUserError(run(GenerateCommand.commandLine(), "--model", dir.resolve("nope.gguf").toString(), "--prompt", "hi"), "nope.gguf");
        assertUserError(run(GenerateCommand.commandLine(), "--model", TestModels.path("stories260K.gguf").toString(), "--prompt", "hi", "--top-p", "0"), "top_p");
        assertUserError(run(TokenizeCommand.commandLine(), "--model", dir.resolve("nope.gguf").toString(), "--text", "hi"), "nope.gguf");
        Path notGguf = dir.resolve("text.gguf");
        assertUserError(run(ModelCommand.commandLine(), "inspect", write(notGguf, "hello").toString()), "text.gguf");
    }

    private static Path write(Path p, String s) {
        try {
            return Files.writeString(p, s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void tokenizePrintsTheIdsAsAJsonArray() {
        String model = TestModels.path("stories260K.gguf").toString();
        Run r = run(TokenizeCommand.commandLine(), "--model", model, "--text", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        assertEquals("[1, 403, 407, 261, 378]", r.lastLine());
        assertEquals("[403, 407, 261, 378]", run(TokenizeCommand.commandLine(), "--model", model, "--text", "Once upon a time", "--no-bos").lastLine());
    }

    /** Greedy stories260K continuation as llama.cpp produces it (../shared/models/README.md). */
    @Test
    void generatePrintsOnlyTheGreedyContinuation() {
        Run r = run(GenerateCommand.commandLine(), "--model", TestModels.path("stories260K.gguf").toString(),
                "--prompt", "Once upon a time", "--max-tokens", "64", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        String expected = ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball."
                + " She wanted to play with it, but it was too high.\nLily's mom said";
        assertEquals(expected, r.out());
        assertTrue(r.err().contains("tokens/s"), r.err());
    }

    /** Ids that llama.cpp's llama-tokenize printed for the same texts on the same vocabulary (with and without --no-parse-special). */
    @Test
    void tokenizeParsesSpecialTokensAsLlamaCppDoes() {
        String vocab = TestModels.path("tokenizer/ggml-vocab-llama-spm.gguf").toString();
        assertEquals("[1, 1, 15043, 3186, 2]",
                run(TokenizeCommand.commandLine(), "--model", vocab, "--text", "<s>Hello world</s>").lastLine());
        assertEquals("[1, 529, 29879, 29958, 10994, 3186, 829, 29879, 29958]",
                run(TokenizeCommand.commandLine(), "--model", vocab, "--text", "<s>Hello world</s>", "--no-parse-special").lastLine());
        assertEquals("[1, 1, 259, 1, 921]", run(TokenizeCommand.commandLine(), "--model", vocab, "--text", "<s> <s>x").lastLine());
    }

    @Test
    void generateStopsAtAStopStringAndTakesTheServersSamplingFields() {
        String model = TestModels.path("stories260K.gguf").toString();
        Run r = run(GenerateCommand.commandLine(), "--model", model, "--prompt", "Once upon a time", "--max-tokens", "64",
                "--threads", "1", "--stop", "Lily");
        assertEquals(0, r.code(), r.err());
        assertEquals(", there was a little girl named ", r.out());
        assertTrue(r.err().contains("finish_reason stop"), r.err());
        Run plain = run(GenerateCommand.commandLine(), "--model", model, "--prompt", "Once upon a time", "--max-tokens", "64",
                "--threads", "1");
        Run penalised = run(GenerateCommand.commandLine(), "--model", model, "--prompt", "Once upon a time", "--max-tokens", "64",
                "--threads", "1", "--repetition-penalty", "2", "--frequency-penalty", "1");
        assertEquals(0, penalised.code(), penalised.err());
        assertTrue(!penalised.out().equals(plain.out()), "penalties change the greedy output: " + penalised.out());
        Run seeded1 = run(GenerateCommand.commandLine(), "--model", model, "--prompt", "Once", "--max-tokens", "16",
                "--threads", "1", "--temperature", "1", "--seed", "5");
        Run seeded2 = run(GenerateCommand.commandLine(), "--model", model, "--prompt", "Once", "--max-tokens", "16",
                "--threads", "1", "--temperature", "1", "--seed", "5");
        assertEquals(seeded1.out(), seeded2.out());
        assertUserError(run(GenerateCommand.commandLine(), "--model", model, "--prompt", "x", "--top-p", "0"), "'top_p'");
    }

    @Test
    void generateOnCudaWithoutADriverSaysWhatIsMissingInOneLine() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.gannet.runtime.cuda.CudaTestEnvironment.driverLoads(),
                "a CUDA driver loads here: the no-driver error cannot be shown");
        String model = TestModels.path("stories260K.gguf").toString();
        assertUserError(run(GenerateCommand.commandLine(), "--model", model, "--prompt", "x", "--device", "cuda:0"), "libcuda.so.1 not found");
    }
}
