package dev.gannet.router.replica;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Inet6Address;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Replica sources that change: a file listing one URL a line (re-read every interval; a Kubernetes
 * ConfigMap volume swaps a symlink, which a file watch would miss, and a poll also survives an editor's
 * rename-and-replace), and a DNS name resolved to all its addresses every interval (a headless Service
 * lists one address per ready pod). A source that cannot be read keeps its last list and says so once:
 * a DNS hiccup must not empty the router. Reads run on a worker thread, never on an event loop.
 */
public final class Discovery {
    /** Resolves a host name to all of its addresses (InetAddress::getAllByName in production). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Vertx vertx;
    private final ReplicaSet replicas;
    private final Duration interval;
    private final Path file;
    private final URI dns;
    private final Resolver resolver;
    private final Consumer<String> log;
    private String lastFileError;
    private String lastDnsError;
    private long timerId = -1;

    /**
     * @param file a file of replica URLs, or null
     * @param dns  {@code http://name:port}: every address of {@code name} is a replica on {@code port}; or null
     */
    public Discovery(Vertx vertx, ReplicaSet replicas, Duration interval, Path file, URI dns, Resolver resolver,
                     Consumer<String> log) {
        this.vertx = vertx;
        this.replicas = replicas;
        this.interval = interval;
        this.file = file;
        this.dns = dns == null ? null : Replica.normalize(dns);
        this.resolver = Objects.requireNonNull(resolver);
        this.log = log;
    }

    /** Reads every source once now, then every interval; the future completes after the first read. */
    public Future<Void> start() {
        if (file == null && dns == null) return Future.succeededFuture();
        Future<Void> first = poll();
        timerId = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> poll());
        return first;
    }

    public void stop() {
        if (timerId >= 0) vertx.cancelTimer(timerId);
    }

    public Future<Void> poll() {
        return vertx.executeBlocking(() -> {
            if (file != null) pollFile();
            if (dns != null) pollDns();
            return null;
        }, false);
    }

    private void pollFile() {
        try {
            replicas.update("file:" + file, readFile(file));
            lastFileError = null;
        } catch (IOException | IllegalArgumentException e) {
            String msg = "replicas file " + file + ": " + e.getMessage() + " (keeping the last list)";
            if (!msg.equals(lastFileError)) log.accept(msg);
            lastFileError = msg;
        }
    }

    private void pollDns() {
        try {
            replicas.update("dns:" + dns.getHost(), resolve(dns, resolver));
            lastDnsError = null;
        } catch (UnknownHostException e) {
            String msg = "replicas DNS name " + dns.getHost() + ": does not resolve (keeping the last list)";
            if (!msg.equals(lastDnsError)) log.accept(msg);
            lastDnsError = msg;
        }
    }

    /** One replica URL a line; blank lines and {@code #} comments skipped; {@code host:port} means http. */
    public static List<URI> readFile(Path file) throws IOException {
        List<URI> out = new ArrayList<>();
        int n = 0;
        for (String raw : Files.readAllLines(file)) {
            n++;
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) continue;
            try {
                out.add(parseReplica(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + n + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** {@code http://h:p}, {@code https://h:p}, or {@code h:p} (http). */
    public static URI parseReplica(String s) {
        String t = s.contains("://") ? s : "http://" + s;
        try {
            return Replica.normalize(new URI(t));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + s);
        }
    }

    /** Every address of the name, as replica URLs on the name's scheme and port. */
    public static Set<URI> resolve(URI name, Resolver resolver) throws UnknownHostException {
        Set<URI> out = new LinkedHashSet<>();
        for (InetAddress a : resolver.resolve(name.getHost())) {
            String host = a instanceof Inet6Address ? "[" + a.getHostAddress().replace("%", "%25") + "]" : a.getHostAddress();
            out.add(URI.create(name.getScheme() + "://" + host + ":" + name.getPort()));
        }
        return out;
    }
}
