package dev.gannet.loadtest;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code gannet loadtest}: drives an OpenAI-compatible server and reports latency and throughput. */
@Command(name = "loadtest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load-test an OpenAI-compatible streaming server (Gannet, vLLM, llama.cpp server, ...)",
                "and write results.json, report.html and PNG charts. See docs/loadtest.md."})
public final class LoadtestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", required = true, description = "Server base URL, e.g. http://127.0.0.1:8080")
    String url;

    @Option(names = "--model", description = "Model name to send (default: first id of GET /v1/models)")
    String model;

    @Option(names = "--api-key", description = "Bearer key sent as 'Authorization: Bearer K' (not written to reports)")
    String apiKey;

    @Option(names = "--endpoint", defaultValue = "completions", converter = EndpointConverter.class,
            description = "completions (/v1/completions, prompt) or chat (/v1/chat/completions, messages). Default: ${DEFAULT-VALUE}")
    Endpoint endpoint;

    @Option(names = "--prompt-tokens", defaultValue = "256", converter = LengthConverter.class,
            description = "Prompt length in tokens: N, uniform:LO-HI or normal:MEAN,SD (per turn with --turns). Default: ${DEFAULT-VALUE}")
    LengthSpec promptTokens;

    @Option(names = "--max-tokens", defaultValue = "128", converter = LengthConverter.class,
            description = "Output length in tokens (sent with ignore_eos): N, uniform:LO-HI or normal:MEAN,SD. Default: ${DEFAULT-VALUE}")
    LengthSpec maxTokens;

    @Option(names = "--ignore-eos", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Send ignore_eos=true so outputs have exactly --max-tokens tokens (--no-ignore-eos for strict OpenAI servers)")
    boolean ignoreEos;

    @Option(names = "--extra-body", paramLabel = "JSON",
            description = "A JSON object merged into every request body (its fields win), e.g. a response_format")
    String extraBody;

    @Option(names = "--shared-prefix-tokens", defaultValue = "0",
            description = "One common system prompt of N tokens before every prompt (prefix caching). Default: ${DEFAULT-VALUE}")
    int sharedPrefixTokens;

    @Option(names = "--turns", defaultValue = "1",
            description = "Turns per conversation; each turn's request repeats the earlier turns. Default: ${DEFAULT-VALUE}")
    int turns;

    @Option(names = "--dataset", description = "Prompts from FILE: JSONL with 'prompt' or 'messages', or text (lines or paragraphs)")
    Path dataset;

    @Option(names = "--concurrency", split = ",",
            description = "Closed loop at fixed concurrency; a list sweeps, e.g. 1,2,4,8,16 (default: 1)")
    List<Integer> concurrency;

    @Option(names = "--rate", split = ",", description = "Open loop, Poisson arrivals at R requests/s; a list sweeps, e.g. 1,2,4")
    List<Double> rates;

    @Option(names = "--requests", defaultValue = "100", description = "Requests per sweep point (at most). Default: ${DEFAULT-VALUE}")
    int requests;

    @Option(names = "--duration", defaultValue = "60",
            description = "Seconds per sweep point (at most; no new request after it). Default: ${DEFAULT-VALUE}")
    double durationSeconds;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds one request may take in all. Default: ${DEFAULT-VALUE}")
    double timeoutSeconds;

    @Option(names = "--warmup", defaultValue = "0", description = "Unrecorded requests per server before the sweep. Default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of prompts, lengths and arrivals. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--slo-ttft-ms", description = "Goodput SLO: time to first token at most this many ms")
    Double sloTtftMs;

    @Option(names = "--slo-itl-ms", description = "Goodput SLO: every inter-token gap at most this many ms")
    Double sloItlMs;

    @Option(names = "--out", defaultValue = "loadtest-results", description = "Output folder. Default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--compare", paramLabel = "URL2", description = "Second server run on the same workload, interleaved with the first")
    String compareUrl;

    @Option(names = "--compare-model", paramLabel = "NAME2", description = "Model name for --compare (default: its first listed model)")
    String compareModel;

    @Option(names = "--compare-api-key", description = "Bearer key for --compare (default: --api-key)")
    String compareApiKey;

    @Option(names = "--allow-remote", description = "Allow servers that are not on loopback or private addresses")
    boolean allowRemote;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadtestCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        System.setProperty("java.awt.headless", "true"); // before JFreeChart touches AWT
        List<String> args = redacted(spec.commandLine().getParseResult().originalArgs());
        try {
            LoadtestConfig cfg = config();
            LoadtestRun run = new LoadtestRun(cfg, "gannet loadtest " + String.join(" ", quoted(args)), args,
                    stdout, ProgressLine.stdoutIsTerminal());
            RunReport report = run.run();
            List<Path> files = ReportWriter.write(report, cfg.out(), run.json(), stderr);
            stdout.print(TextSummary.render(report));
            stdout.println("wrote " + files.size() + " files under " + cfg.out().toAbsolutePath()
                    + " (results.json, report.html, PNG charts)");
            stdout.flush();
            if (report.points().stream().allMatch(p -> p.succeeded() == 0)) {
                stderr.println("error: no request succeeded; see the error kinds above");
                return 1;
            }
            return 0;
        } catch (IllegalArgumentException e) {
            stderr.println("error: " + e.getMessage());
            return 2;
        }
    }

    LoadtestConfig config() {
        List<Integer> c = concurrency;
        if ((c == null || c.isEmpty()) && (rates == null || rates.isEmpty())) {
            c = List.of(1);
        }
        return new LoadtestConfig(url, model, apiKey, endpoint, promptTokens, maxTokens, sharedPrefixTokens, turns,
                dataset, c, rates, requests, seconds("--duration", durationSeconds),
                seconds("--timeout", timeoutSeconds), allowRemote, seed, sloTtftMs, sloItlMs, out, compareUrl,
                compareModel, compareApiKey, ignoreEos, warmup, extraBody);
    }

    private static Duration seconds(String option, double s) {
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException(option + " must be a positive number of seconds, got " + s);
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    /** The arguments with API key values replaced, so reports can be shared. */
    static List<String> redacted(List<String> args) {
        List<String> out = new ArrayList<>(args.size());
        boolean hideNext = false;
        for (String a : args) {
            if (hideNext) {
                out.add("***");
                hideNext = false;
            } else if (a.startsWith("--api-key=") || a.startsWith("--compare-api-key=")) {
                out.add(a.substring(0, a.indexOf('=') + 1) + "***");
            } else {
                hideNext = a.equals("--api-key") || a.equals("--compare-api-key");
                out.add(a);
            }
        }
        return out;
    }

    private static List<String> quoted(List<String> args) {
        List<String> q = new ArrayList<>(args.size());
        for (String a : args) {
            q.add(a.matches("[A-Za-z0-9_./:=,@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return q;
    }

    /** Accepts completions/chat in any case. */
    static final class EndpointConverter implements CommandLine.ITypeConverter<Endpoint> {
        @Override
        public Endpoint convert(String value) {
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "completions", "completion" -> Endpoint.COMPLETIONS;
                case "chat", "chat-completions" -> Endpoint.CHAT;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not an endpoint; valid: completions, chat");
            };
        }
    }

    static final class LengthConverter implements CommandLine.ITypeConverter<LengthSpec> {
        @Override
        public LengthSpec convert(String value) {
            try {
                return LengthSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
