package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One loadtest: resolves the servers, builds the workload, runs the sweep (A and B interleaved
 * point by point, so drift of the machine hits both) and assembles the {@link RunReport}.
 */
public final class LoadtestRun {

    /** A server under test and the client that streams from it. */
    private record TargetRun(RunReport.Target info, ServerApi api, StreamingClient client) {
    }

    private final LoadtestConfig cfg;
    private final String commandLine;
    private final List<String> arguments;
    private final PrintWriter out;
    private final boolean progressEnabled;
    private final ObjectMapper json = new ObjectMapper();

    public LoadtestRun(LoadtestConfig cfg, String commandLine, List<String> arguments, PrintWriter out,
                       boolean progressEnabled) {
        this.cfg = cfg;
        this.commandLine = commandLine;
        this.arguments = List.copyOf(arguments);
        this.out = out;
        this.progressEnabled = progressEnabled;
    }

    public ObjectMapper json() {
        return json;
    }

    public RunReport run() throws IOException, InterruptedException {
        AddressGuard.check(cfg.url(), cfg.allowRemote());
        if (cfg.compareUrl() != null) {
            AddressGuard.check(cfg.compareUrl(), cfg.allowRemote());
        }
        String startedAt = Instant.now().toString();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadtest-timeouts");
            t.setDaemon(true);
            return t;
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(cfg.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? cfg.timeout()
                        : Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        try (http; ProgressLine progress = new ProgressLine(out, progressEnabled)) {
            List<TargetRun> targets = new ArrayList<>();
            targets.add(target("A", cfg.url(), cfg.model(), cfg.apiKey(), http, watchdog, progress));
            if (cfg.compareUrl() != null) {
                String key = cfg.compareApiKey() != null ? cfg.compareApiKey() : cfg.apiKey();
                targets.add(target("B", cfg.compareUrl(), cfg.compareModel(), key, http, watchdog, progress));
            }
            TargetRun a = targets.getFirst();
            TokenCounter counter = a.api().tokenizer(a.info().model()).orElse(TokenCounter.wordEstimate());
            TextSynth synth = new TextSynth(counter);
            WorkloadBuilder builder = new WorkloadBuilder(workloadSpec(cfg.requests()), synth);
            warmUp(targets, synth, progress);
            List<PointSummary> points = sweep(targets, builder, progress);
            RunReport.Comparison comparison = targets.size() > 1 ? Comparisons.of(points) : null;
            return new RunReport("gannet loadtest", startedAt, commandLine, arguments, RunReport.Machine.current(),
                    workloadEcho(), counter.method(), synth.fits(), synth.exactFits(),
                    targets.stream().map(TargetRun::info).toList(), points, comparison);
        } finally {
            watchdog.shutdownNow();
        }
    }

    private List<PointSummary> sweep(List<TargetRun> targets, WorkloadBuilder builder, ProgressLine progress) {
        PointStats.Slo slo = new PointStats.Slo(cfg.sloTtftMs(), cfg.sloItlMs());
        List<PointSummary> points = new ArrayList<>();
        List<Double> loads = cfg.loads();
        for (int i = 0; i < loads.size(); i++) {
            double load = loads.get(i);
            long seed = pointSeed(i);
            // Fresh prompts per point (no cache carry-over between points), identical for A and B.
            List<PlannedRequest> workload = builder.build(seed);
            for (TargetRun t : targets) {
                LoadRunner runner = new LoadRunner(t.client()::execute, progress);
                progress.begin(t.info().label() + " " + PointSummary.loadLabel(cfg.mode(), load), workload.size());
                LoadRunner.PointRun run = cfg.openLoop()
                        ? runner.openLoop(workload, new PoissonArrivals(load, seed), cfg.duration())
                        : runner.closedLoop(workload, (int) load, cfg.duration());
                progress.end();
                points.add(PointStats.summarize(t.info().label(), cfg.mode(), load, run, slo));
            }
        }
        return points;
    }

    /** Unrecorded requests first, so a JIT-compiled server is measured warm. */
    private void warmUp(List<TargetRun> targets, TextSynth synth, ProgressLine progress) {
        if (cfg.warmup() == 0) {
            return;
        }
        List<PlannedRequest> warm = new WorkloadBuilder(workloadSpec(cfg.warmup()), synth).build(~cfg.seed());
        for (TargetRun t : targets) {
            progress.begin(t.info().label() + " warm-up", warm.size());
            new LoadRunner(t.client()::execute, progress).closedLoop(warm, 1, cfg.duration());
            progress.end();
        }
    }

    long pointSeed(int index) {
        return cfg.seed() + 1_000_003L * index;
    }

    private WorkloadBuilder.Spec workloadSpec(int requests) throws IllegalArgumentException {
        List<Dataset.Entry> dataset = null;
        if (cfg.dataset() != null) {
            try {
                dataset = Dataset.load(cfg.dataset(), json);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --dataset " + cfg.dataset() + ": " + e.getMessage(), e);
            }
        }
        return new WorkloadBuilder.Spec(cfg.endpoint(), requests, cfg.promptTokens(), cfg.maxTokens(),
                cfg.sharedPrefixTokens(), cfg.turns(), dataset);
    }

    private TargetRun target(String label, String url, String model, String apiKey, HttpClient http,
                             ScheduledExecutorService watchdog, ProgressLine progress) throws InterruptedException {
        ServerApi api = new ServerApi(http, json, url, apiKey, cfg.timeout());
        JsonNode models = null;
        String modelsError = null;
        try {
            models = api.models();
        } catch (IOException e) {
            modelsError = e.getMessage();
        }
        String chosen = model;
        if (chosen == null) {
            if (models == null) {
                throw new IllegalArgumentException("no model given for " + url + " and GET /v1/models failed ("
                        + modelsError + "); pass --model" + (label.equals("B") ? " / --compare-model" : ""));
            }
            chosen = ServerApi.firstModelId(models, api.baseUrl());
        }
        StreamingClient client = new StreamingClient(http, api, cfg.endpoint(), chosen, cfg.ignoreEos(),
                cfg.timeout(), watchdog, progress.liveTokens(), cfg.extraBody());
        return new TargetRun(new RunReport.Target(label, api.baseUrl(), chosen, models, modelsError), api, client);
    }

    private Map<String, Object> workloadEcho() {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("endpoint", cfg.endpoint().path());
        w.put("promptTokens", cfg.promptTokens().toString());
        w.put("maxTokens", cfg.maxTokens().toString());
        w.put("ignoreEos", cfg.ignoreEos());
        if (cfg.extraBody() != null) w.put("extraBody", cfg.extraBody());
        w.put("sharedPrefixTokens", cfg.sharedPrefixTokens());
        w.put("turns", cfg.turns());
        w.put("dataset", cfg.dataset() == null ? null : cfg.dataset().toString());
        w.put("arrivals", cfg.openLoop() ? "open loop, Poisson" : "closed loop");
        w.put(cfg.mode(), cfg.openLoop() ? cfg.rates() : cfg.concurrency());
        w.put("requestsPerPoint", cfg.requests());
        w.put("maxDurationPerPointS", cfg.duration().toMillis() / 1000.0);
        w.put("timeoutS", cfg.timeout().toMillis() / 1000.0);
        w.put("warmupRequests", cfg.warmup());
        w.put("seed", cfg.seed());
        w.put("sloTtftMs", cfg.sloTtftMs());
        w.put("sloItlMs", cfg.sloItlMs());
        return w;
    }
}
