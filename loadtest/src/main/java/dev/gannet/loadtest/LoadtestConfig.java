package dev.gannet.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every option of a run, parsed once by {@link LoadtestCommand} and validated here.
 * Exactly one of {@code concurrency} (closed loop) and {@code rates} (open loop) is non-empty.
 * {@code extraBody} is null or the text of a JSON object merged into every request body.
 */
public record LoadtestConfig(String url, String model, String apiKey, Endpoint endpoint, LengthSpec promptTokens,
                             LengthSpec maxTokens, int sharedPrefixTokens, int turns, Path dataset,
                             List<Integer> concurrency, List<Double> rates, int requests, Duration duration,
                             Duration timeout, boolean allowRemote, long seed, Double sloTtftMs, Double sloItlMs,
                             Path out, String compareUrl, String compareModel, String compareApiKey,
                             boolean ignoreEos, int warmup, String extraBody) {

    public LoadtestConfig {
        concurrency = concurrency == null ? List.of() : List.copyOf(concurrency);
        rates = rates == null ? List.of() : List.copyOf(rates);
        require(url != null && !url.isBlank(), "--url is required");
        require(endpoint != null && promptTokens != null && maxTokens != null && out != null,
                "--endpoint, --prompt-tokens, --max-tokens and --out need values");
        require(concurrency.isEmpty() != rates.isEmpty(),
                "give either --concurrency (closed loop) or --rate (open loop), not both");
        for (int c : concurrency) {
            require(c >= 1, "--concurrency values must be >= 1, got " + c);
        }
        for (double r : rates) {
            require(r > 0 && Double.isFinite(r), "--rate values must be > 0 requests/s, got " + r);
        }
        require(requests >= 1, "--requests must be >= 1, got " + requests);
        require(duration != null && !duration.isNegative() && !duration.isZero(), "--duration must be > 0 seconds");
        require(timeout != null && !timeout.isNegative() && !timeout.isZero(), "--timeout must be > 0 seconds");
        require(sharedPrefixTokens >= 0, "--shared-prefix-tokens must be >= 0, got " + sharedPrefixTokens);
        require(turns >= 1, "--turns must be >= 1, got " + turns);
        require(warmup >= 0, "--warmup must be >= 0, got " + warmup);
        require(sloTtftMs == null || sloTtftMs > 0, "--slo-ttft-ms must be > 0");
        require(sloItlMs == null || sloItlMs > 0, "--slo-itl-ms must be > 0");
        require(compareModel == null || compareUrl != null, "--compare-model needs --compare URL2");
        require(extraBody == null || isJsonObject(extraBody), "--extra-body must be a JSON object");
    }

    public boolean openLoop() {
        return !rates.isEmpty();
    }

    /** The sweep values, as doubles, in the order given. */
    public List<Double> loads() {
        return openLoop() ? rates : concurrency.stream().map(Integer::doubleValue).toList();
    }

    public String mode() {
        return openLoop() ? "rate" : "concurrency";
    }

    private static boolean isJsonObject(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text) instanceof
                    com.fasterxml.jackson.databind.node.ObjectNode;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
