package dev.gannet.runtime.cli;

import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gannet tokenize}: the token ids of a text, as a JSON array on the last stdout line. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of a text as a JSON array (the last line of stdout).")
public final class TokenizeCommand extends CliCommand {
    @Option(names = "--model", required = true, description = "a .gguf file, a Hugging Face folder or a tokenizer.json")
    Path model;

    @Option(names = "--text", required = true, description = "the text to tokenize")
    String text;

    @Option(names = "--no-bos", description = "do not add the model's BOS token")
    boolean noBos;

    @Option(names = "--no-parse-special", description = "treat special-token texts such as <s> or <|im_start|> as plain "
            + "text (by default they become their ids, as the server and llama-tokenize do)")
    boolean noParseSpecial;

    /** The command, ready to add under {@code gannet}. */
    public static CommandLine commandLine() {
        return oneLineErrors(new CommandLine(new TokenizeCommand()));
    }

    @Override
    int run(PrintWriter out, PrintWriter err) throws IOException {
        if (!Files.exists(model)) throw new IOException(model + ": no such file or folder");
        Tokenizer tok = Tokenizers.load(model);
        int[] ids = tok.encode(text, !noBos, !noParseSpecial);
        StringBuilder b = new StringBuilder(ids.length * 6 + 2).append('[');
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) b.append(", ");
            b.append(ids[i]);
        }
        out.println(b.append(']'));
        return 0;
    }
}
