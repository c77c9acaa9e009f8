package dev.gannet.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import java.util.List;

/** A subcommand whose capability has not landed yet: says so plainly and exits 2. */
@Command(mixinStandardHelpOptions = true)
final class NotBuiltCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Unmatched List<String> ignored;

    @Override
    public Integer call() {
        System.err.println("gannet " + spec.name() + ": not built yet in this version of Gannet.");
        return 2;
    }
}
