package dev.gannet.server.cli;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.server.common.Admission;
import dev.gannet.server.config.ConfigException;
import dev.gannet.server.config.ConfigKey;
import dev.gannet.server.config.ConfigLoader;
import dev.gannet.server.config.ServerConfig;
import dev.gannet.server.http.GannetServer;
import dev.gannet.server.http.ServerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gannet serve}: resolves the configuration (file, env, flags), prints it, and serves the model.
 * Its flags are generated from {@link ConfigKey}, so YAML keys, env vars and flags never drift apart.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over OpenAI-compatible HTTP and KServe v2 gRPC.")
public final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (see configs/).")
    Path config;

    private final Map<String, String> env;

    ServeCommand(Map<String, String> env) {
        this.env = env;
    }

    static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new ServeCommand(env));
        for (ConfigKey k : ConfigKey.values()) {
            cl.getCommandSpec().addOption(OptionSpec.builder(k.flagName())
                    .paramLabel(k.kind() == ConfigKey.Kind.STRING ? "VALUE" : k.kind().name())
                    .type(String.class)
                    .description(k.description() + " (default: " + (k.defaultValue() == null ? "none" : k.defaultValue())
                            + "; env " + k.envName() + ")")
                    .build());
        }
        return cl;
    }

    /** Parses configuration from this command's flags; exposed for tests. */
    ServerConfig resolveConfig() throws ConfigException {
        Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
        for (ConfigKey k : ConfigKey.values()) {
            String v = spec.findOption(k.flagName()).getValue();
            if (v != null) flags.put(k, v);
        }
        return ConfigLoader.load(config, env, flags);
    }

    @Override
    public Integer call() {
        ServerConfig cfg;
        try {
            cfg = resolveConfig();
        } catch (ConfigException e) {
            System.err.println("gannet serve: " + e.getMessage());
            return 2;
        }
        System.err.println("gannet serve: configuration");
        cfg.describe().forEach(System.err::println);
        List<String> keys;
        try {
            keys = apiKeys(cfg);
        } catch (ConfigException e) {
            System.err.println("gannet serve: " + e.getMessage());
            return 2;
        }
        long t0 = System.nanoTime();
        ModelHost.Loaded loaded;
        try {
            loaded = ModelHost.load(cfg, Path.of(System.getProperty("user.home"), ".cache", "gannet"),
                    CudaLibraryPaths.fromEnvironment(env));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("gannet serve: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("gannet serve: cannot load the model: " + e.getMessage());
            return 2;
        }
        System.err.printf("gannet serve: loaded %s (%s) in %d ms%s: %s on %s, context %d, %d threads, %d KV blocks of %d tokens, %s, weights %s%n",
                loaded.servedName(), loaded.path(), (System.nanoTime() - t0) / 1_000_000, cfg.warmup() ? " with warm-up" : "",
                loaded.service().config().architecture(), loaded.service().device(), loaded.service().maxModelLen(),
                loaded.service().threads(), loaded.service().kvBlocks(), cfg.blockSize(), loaded.service().sharding(),
                loaded.service().model().packedWeights());
        if (loaded.service().contextCappedByKv()) {
            System.err.printf("gannet serve: the context is capped at %d tokens, all the KV cache holds "
                    + "(raise --kv-cache-memory for more)%n", loaded.service().maxModelLen());
        }
        GannetServer server = new GannetServer(new ServerOptions(cfg.host(), cfg.port(), loaded.servedName(), keys,
                cfg.maxBodySizeBytes(), new Admission(cfg.maxWaiting(), cfg.maxWaitingTokens(), cfg.maxN(), cfg.maxPrompts()),
                cfg.requestTimeout(), cfg.shutdownTimeout(), cfg.logFormat(),
                readTemplate(cfg), cfg.toolCallParser(), cfg.cors(), new ServerOptions.Timeouts(cfg.headerTimeout(), cfg.keepAliveTimeout(),
                cfg.streamStallTimeout())), loaded.backend());
        int port;
        try {
            port = server.start().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            System.err.println("gannet serve: cannot listen on " + cfg.host() + ":" + cfg.port() + ": " + rootMessage(e));
            server.close();
            loaded.close();
            return 2;
        }
        System.err.printf("gannet serve: serving %s on http://%s:%d (HTTP/1.1, HTTP/2, gRPC)%n", loaded.servedName(), cfg.host(), port);
        CountDownLatch stop = new CountDownLatch(1);
        SignalHandler onSignal = sig -> stop.countDown();
        Signal.handle(new Signal("TERM"), onSignal);
        Signal.handle(new Signal("INT"), onSignal);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println("gannet serve: draining (up to " + cfg.shutdownTimeout() + ")");
        try {
            server.drain().toCompletionStage().toCompletableFuture().get();
            server.close().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            System.err.println("gannet serve: shutdown: " + rootMessage(e));
        }
        loaded.close();
        System.err.println("gannet serve: stopped");
        return 0;
    }

    private static String readTemplate(ServerConfig cfg) {
        if (cfg.chatTemplate() == null) return null;
        try {
            return Files.readString(cfg.chatTemplate());
        } catch (IOException e) {
            throw new IllegalArgumentException("chat_template " + cfg.chatTemplate() + ": cannot read: " + e.getMessage());
        }
    }

    /** Keys from the configuration plus those in the keys file (one per line, # comments). */
    static List<String> apiKeys(ServerConfig cfg) throws ConfigException {
        List<String> keys = new ArrayList<>(cfg.apiKeys());
        if (cfg.apiKeysFile() != null) {
            try {
                for (String line : Files.readAllLines(cfg.apiKeysFile())) {
                    String k = line.strip();
                    if (!k.isEmpty() && !k.startsWith("#")) keys.add(k);
                }
            } catch (IOException e) {
                throw new ConfigException("api_keys_file " + cfg.apiKeysFile() + ": cannot read: " + e.getMessage());
            }
        }
        return keys;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
