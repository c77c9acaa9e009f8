package dev.gannet.runtime.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gannet template}: work with chat templates. */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = "Chat templates: render a request into the prompt the model sees (render).",
        subcommands = {TemplateRenderCommand.class})
public final class TemplateCommand extends CliCommand {
    @Override
    int run(PrintWriter out, PrintWriter err) {
        spec.commandLine().usage(err);
        return USAGE;
    }

    /** The command with its subcommands, ready to add under {@code gannet}. */
    public static CommandLine commandLine() {
        return oneLineErrors(new CommandLine(new TemplateCommand()));
    }
}
