package dev.gannet.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gannet model inspect PATH}: shapes, tensor types, tokenizer and size of a model. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Describe a .gguf file or a Hugging Face model folder (reads headers only).")
final class InspectCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "a .gguf file or a Hugging Face folder")
    Path path;

    @Option(names = "--json", description = "print one JSON object instead of lines")
    boolean json;

    @Override
    int run(PrintWriter out, PrintWriter err) throws IOException {
        ModelSummary s = ModelInspector.inspect(path);
        if (json) {
            out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
        } else {
            out.print(s.render());
        }
        return 0;
    }
}
