package dev.gannet.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Common error handling of the model-runtime commands: a user error (missing or malformed file, bad
 * value) prints one line {@code gannet <command>: <problem>} on stderr and exits 2, without a stack
 * trace. Anything else is a bug and propagates to picocli (stack trace, exit 1).
 */
public abstract class CliCommand implements Callable<Integer> {
    /** Exit code for bad input. */
    static final int USAGE = 2;

    @Spec CommandSpec spec;

    /** Does the work; returns the exit code. Throw IOException or IllegalArgumentException for user errors. */
    abstract int run(PrintWriter out, PrintWriter err) throws IOException;

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return run(out, err);
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            out.flush();
            err.println("gannet " + spec.qualifiedName(" ").replaceFirst("^gannet ", "") + ": " + message(e));
            err.flush();
            return USAGE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * A bad option (missing, unknown, not a number) also gets one line and exit 2, instead of
     * picocli's default of the message followed by the whole usage text.
     */
    public static CommandLine oneLineErrors(CommandLine cl) {
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("gannet " + c.getCommandSpec().qualifiedName(" ").replaceFirst("^gannet ", "")
                    + ": " + ex.getMessage() + " (see --help)");
            c.getErr().flush();
            return USAGE;
        });
        return cl;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) return m + ": no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return m + ": permission denied";
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
