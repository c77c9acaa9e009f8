package dev.gannet.router;

import dev.gannet.router.policy.Policies;
import dev.gannet.router.policy.PolicyKind;
import dev.gannet.router.proxy.ProxySettings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code gannet router} runs with, validated once. Replicas come from {@code replicas}, a file
 * and a DNS name together (at least one of them).
 *
 * @param replicasFile       a file of replica URLs, re-read every {@code discoveryInterval}; or null
 * @param replicasDns        {@code http://name:port}: each address of name is a replica; or null
 * @param ejectAfter         consecutive failures that eject a replica
 * @param ejectFor           first ejection time (doubles while it keeps failing, at most 8x)
 */
public record RouterConfig(String host, int port, List<URI> replicas, Path replicasFile, URI replicasDns,
                           Duration discoveryInterval, PolicyKind policy, Policies.Settings policySettings,
                           ProxySettings proxy, List<String> apiKeys, Duration healthInterval, Duration healthTimeout,
                           int ejectAfter, Duration ejectFor, Duration connectTimeout, long maxBodyBytes,
                           Duration shutdownTimeout) {
    public RouterConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + ": give 0 to 65535");
        replicas = List.copyOf(replicas);
        if (replicas.isEmpty() && replicasFile == null && replicasDns == null) {
            throw new IllegalArgumentException("no replicas: give --replica URL (repeatable), --replicas-file FILE"
                    + " or --replicas-dns http://NAME:PORT");
        }
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(policySettings, "policySettings");
        Objects.requireNonNull(proxy, "proxy");
        apiKeys = List.copyOf(apiKeys);
        positive("discovery interval", discoveryInterval);
        positive("health interval", healthInterval);
        positive("health timeout", healthTimeout);
        positive("eject for", ejectFor);
        positive("connect timeout", connectTimeout);
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (ejectAfter < 1) throw new IllegalArgumentException("eject after " + ejectAfter + ": give at least 1");
        if (maxBodyBytes < 1) throw new IllegalArgumentException("max body size must be >= 1 byte");
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be > 0");
    }

    /** One line per setting, for the start-up log; keys masked. */
    public List<String> describe() {
        return List.of(
                "  listen            " + host + ":" + port,
                "  replicas          " + replicas + (replicasFile != null ? " + file " + replicasFile : "")
                        + (replicasDns != null ? " + dns " + replicasDns : ""),
                "  policy            " + policy.wireName() + (policy == PolicyKind.PREFIX ? " (first " + proxy.prefixChars()
                        + " chars, balance " + policySettings.prefixBalance() + ")" : ""),
                "  health            every " + healthInterval.toMillis() + " ms, timeout " + healthTimeout.toMillis() + " ms",
                "  ejection          after " + ejectAfter + " failures, for " + ejectFor.toMillis() + " ms",
                "  attempts          " + proxy.maxAttempts() + ", first-byte timeout " + proxy.firstByteTimeout().toMillis()
                        + " ms, request timeout " + proxy.requestTimeout().toSeconds() + " s",
                "  api keys          " + (apiKeys.isEmpty() ? "none" : apiKeys.size() + " (***)")
                        + (proxy.replicaApiKey() != null ? ", replica key ***" : ""),
                "  shutdown timeout  " + shutdownTimeout.toMillis() + " ms");
    }
}
