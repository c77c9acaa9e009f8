package dev.gannet.router;

import dev.gannet.router.policy.Policies;
import dev.gannet.router.policy.PolicyKind;
import dev.gannet.router.proxy.ProxySettings;
import dev.gannet.router.replica.Discovery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code gannet router}: one OpenAI-compatible endpoint in front of many replicas. Every option can also
 * be set in the environment as {@code GANNET_ROUTER_<OPTION>} ({@code --first-byte-timeout} is
 * {@code GANNET_ROUTER_FIRST_BYTE_TIMEOUT}; lists comma-separated); a flag wins over the environment.
 */
@Command(name = "router", mixinStandardHelpOptions = true,
        description = "One OpenAI-compatible endpoint in front of many Gannet (or vLLM) replicas: health checks,"
                + " ejection, retries before the first byte, and least-load, prefix, session or round-robin routing.")
public final class RouterCommand implements Callable<Integer> {
    @Option(names = "--replica", paramLabel = "URL", split = ",", description = "A replica, http://host:port (repeatable).")
    List<String> replicas = new ArrayList<>();
    @Option(names = "--replicas-file", paramLabel = "FILE", description = "File of replica URLs, one a line (# comments); re-read every discovery interval.")
    Path replicasFile;
    @Option(names = "--replicas-dns", paramLabel = "URL", description = "http://NAME:PORT: every address NAME resolves to is a replica (a headless Service); re-resolved every discovery interval.")
    String replicasDns;
    @Option(names = "--discovery-interval", defaultValue = "5s", description = "How often the file is re-read and the name re-resolved (default: ${DEFAULT-VALUE}).")
    String discoveryInterval;
    @Option(names = "--policy", defaultValue = "least-load", description = "least-load, prefix, session or round-robin (default: ${DEFAULT-VALUE}).")
    String policy;
    @Option(names = "--prefix-chars", defaultValue = "256", description = "Leading prompt characters that form the prefix key (default: ${DEFAULT-VALUE}).")
    int prefixChars;
    @Option(names = "--prefix-balance", defaultValue = "1.5", description = "Bounded load: a replica with more than this x the average outstanding requests is passed over (default: ${DEFAULT-VALUE}).")
    double prefixBalance;
    @Option(names = "--affinity-size", defaultValue = "100000", description = "Entries of the prefix affinity table (default: ${DEFAULT-VALUE}).")
    long affinitySize;
    @Option(names = "--affinity-ttl", defaultValue = "10m", description = "An affinity unused this long is forgotten (default: ${DEFAULT-VALUE}).")
    String affinityTtl;
    @Option(names = "--session-header", paramLabel = "NAME", description = "Header naming the session for --policy session (default: the body's \"user\").")
    String sessionHeader;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--api-key", paramLabel = "KEY", split = ",", description = "Accepted bearer key (repeatable); none = no auth.")
    List<String> apiKeys = new ArrayList<>();
    @Option(names = "--api-keys-file", paramLabel = "FILE", description = "File with one accepted key a line (# comments).")
    Path apiKeysFile;
    @Option(names = "--replica-api-key", paramLabel = "KEY", description = "Bearer key sent to the replicas instead of the client's.")
    String replicaApiKey;
    @Option(names = "--health-interval", defaultValue = "2s", description = "Active /ready and /metrics checks of each replica (default: ${DEFAULT-VALUE}).")
    String healthInterval;
    @Option(names = "--health-timeout", defaultValue = "1s", description = "A check not answered in this time marks the replica down (default: ${DEFAULT-VALUE}).")
    String healthTimeout;
    @Option(names = "--eject-after", defaultValue = "3", description = "Consecutive failures that eject a replica (default: ${DEFAULT-VALUE}).")
    int ejectAfter;
    @Option(names = "--eject-for", defaultValue = "10s", description = "First ejection time; doubles while it keeps failing, up to 8x (default: ${DEFAULT-VALUE}).")
    String ejectFor;
    @Option(names = "--max-attempts", defaultValue = "3", description = "Replicas one request may be sent to; retries only happen before the first byte reached the client (default: ${DEFAULT-VALUE}).")
    int maxAttempts;
    @Option(names = "--connect-timeout", defaultValue = "2s", description = "TCP connect timeout to a replica (default: ${DEFAULT-VALUE}).")
    String connectTimeout;
    @Option(names = "--first-byte-timeout", defaultValue = "30s", description = "A stream with no first byte in this time is retried elsewhere; 0s = wait (default: ${DEFAULT-VALUE}).")
    String firstByteTimeout;
    @Option(names = "--request-timeout", defaultValue = "600s", description = "Whole request deadline (default: ${DEFAULT-VALUE}).")
    String requestTimeout;
    @Option(names = "--max-body-size", defaultValue = "4MiB", description = "Largest request body before 413 (default: ${DEFAULT-VALUE}).")
    String maxBodySize;
    @Option(names = "--shutdown-timeout", defaultValue = "30s", description = "How long SIGTERM waits for requests in flight (default: ${DEFAULT-VALUE}).")
    String shutdownTimeout;

    /** The command with the environment as a fallback for every option. */
    public static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new RouterCommand());
        cl.setDefaultValueProvider((ArgSpec arg) -> {
            if (arg instanceof OptionSpec o) {
                String v = env.get(envName(o.longestName()));
                if (v != null && !v.isBlank()) return v;
            }
            return arg.defaultValue();
        });
        return cl;
    }

    /** The validated configuration that {@code gannet router ARGS} would run with (for tools and tests). */
    public static RouterConfig parse(List<String> args, Map<String, String> env) throws IOException {
        CommandLine cl = commandLine(env);
        cl.parseArgs(args.toArray(String[]::new));
        return ((RouterCommand) cl.getCommand()).config();
    }

    static String envName(String option) {
        return "GANNET_ROUTER_" + option.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Builds the validated configuration from the options. */
    RouterConfig config() throws IOException {
        List<URI> uris = new ArrayList<>();
        for (String r : replicas) uris.add(Discovery.parseReplica(r.strip()));
        List<String> keys = new ArrayList<>(apiKeys);
        if (apiKeysFile != null) {
            for (String line : Files.readAllLines(apiKeysFile)) {
                String k = line.strip();
                if (!k.isEmpty() && !k.startsWith("#")) keys.add(k);
            }
        }
        ProxySettings proxy = new ProxySettings(maxAttempts, Units.duration("--first-byte-timeout", firstByteTimeout),
                Units.duration("--request-timeout", requestTimeout), replicaApiKey, sessionHeader, prefixChars);
        return new RouterConfig(host, port, uris, replicasFile,
                replicasDns == null ? null : Discovery.parseReplica(replicasDns),
                Units.duration("--discovery-interval", discoveryInterval), PolicyKind.parse(policy),
                new Policies.Settings(prefixBalance, affinitySize, Units.duration("--affinity-ttl", affinityTtl)),
                proxy, keys, Units.duration("--health-interval", healthInterval),
                Units.duration("--health-timeout", healthTimeout), ejectAfter, Units.duration("--eject-for", ejectFor),
                Units.duration("--connect-timeout", connectTimeout), Units.bytes("--max-body-size", maxBodySize),
                Units.duration("--shutdown-timeout", shutdownTimeout));
    }

    @Override
    public Integer call() {
        RouterConfig cfg;
        try {
            cfg = config();
        } catch (IllegalArgumentException e) {
            System.err.println("gannet router: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("gannet router: cannot read " + e.getMessage());
            return 2;
        }
        if (cfg.replicasDns() != null) {
            // the JVM caches lookups for 30 s by default; the name must be re-resolved as often as asked
            Security.setProperty("networkaddress.cache.ttl", Long.toString(Math.max(1, cfg.discoveryInterval().toSeconds())));
            Security.setProperty("networkaddress.cache.negative.ttl", "1");
        }
        System.err.println("gannet router: configuration");
        cfg.describe().forEach(System.err::println);
        RouterServer server = new RouterServer(cfg, line -> System.err.println("gannet router: " + line));
        int bound;
        try {
            bound = server.start().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            System.err.println("gannet router: cannot listen on " + cfg.host() + ":" + cfg.port() + ": " + rootMessage(e));
            server.close();
            return 2;
        }
        System.err.printf("gannet router: routing on http://%s:%d over %d replicas (%d available), policy %s%n",
                cfg.host(), bound, server.replicas().all().size(), server.replicas().available(System.nanoTime()).size(),
                cfg.policy().wireName());
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), sig -> stop.countDown());
        Signal.handle(new Signal("INT"), sig -> stop.countDown());
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println("gannet router: draining (up to " + cfg.shutdownTimeout().toSeconds() + " s)");
        try {
            server.drain().toCompletionStage().toCompletableFuture().get();
            server.close().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            System.err.println("gannet router: shutdown: " + rootMessage(e));
        }
        System.err.println("gannet router: stopped");
        return 0;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
