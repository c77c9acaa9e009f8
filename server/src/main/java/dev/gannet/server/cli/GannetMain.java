package dev.gannet.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/gannet}: one picocli command with a subcommand per capability. */
@Command(name = "gannet", mixinStandardHelpOptions = true, version = "gannet 0.1.0",
        description = "Gannet: a low-latency LLM inference server for the JVM.",
        subcommands = {CommandLine.HelpCommand.class})
public final class GannetMain {
    public static void main(String[] args) {
        System.exit(new CommandLine(new GannetMain()).execute(args));
    }
}
