package dev.gannet.server.cli;

import dev.gannet.loadtest.LoadtestCommand;
import dev.gannet.router.RouterCommand;
import dev.gannet.runtime.cli.CliCommand;
import dev.gannet.runtime.cli.GenerateCommand;
import dev.gannet.runtime.cli.ModelCommand;
import dev.gannet.runtime.cli.TemplateCommand;
import dev.gannet.runtime.cli.TokenizeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/gannet}: one picocli command with a subcommand per capability. */
@Command(name = "gannet", mixinStandardHelpOptions = true, version = "gannet 0.1.0",
        description = "Gannet: a low-latency LLM inference server for the JVM.",
        subcommands = {CommandLine.HelpCommand.class})
public final class GannetMain {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The full command tree; tests execute it in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new GannetMain());
        cl.addSubcommand("serve", ServeCommand.commandLine());
        cl.addSubcommand("generate", GenerateCommand.commandLine());
        cl.addSubcommand("tokenize", TokenizeCommand.commandLine());
        cl.addSubcommand("model", ModelCommand.commandLine());
        cl.addSubcommand("template", TemplateCommand.commandLine());
        cl.addSubcommand("router", RouterCommand.commandLine());
        cl.addSubcommand("loadtest", new LoadtestCommand());
        return CliCommand.oneLineErrors(cl);
    }
}
