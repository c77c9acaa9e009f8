package dev.gannet.runtime.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gannet model}: write synthetic models and describe model files. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Write synthetic models (synth) and describe model files (inspect).",
        subcommands = {SynthCommand.class, InspectCommand.class})
public final class ModelCommand extends CliCommand {
    @Override
    int run(PrintWriter out, PrintWriter err) {
        spec.commandLine().usage(err);
        return USAGE;
    }

    /** The command with its subcommands, ready to add under {@code gannet}. */
    public static CommandLine commandLine() {
        return oneLineErrors(new CommandLine(new ModelCommand()));
    }
}
