package dev.gannet.loadtest;

import java.util.Map;

/**
 * Every figure of one sweep point against one server, as written to results.json.
 *
 * @param target          "A" (--url) or "B" (--compare)
 * @param mode            "concurrency" (closed loop) or "rate" (open loop, requests/s)
 * @param load            the concurrency or the rate of this point
 * @param requests        requests sent
 * @param errors          error kind -> count
 * @param durationS       wall time from first send to last completion
 * @param outputTokens    output tokens of successful requests
 * @param promptTokens    prompt tokens of successful requests (server usage, else planned)
 * @param outputTokensFromUsage whether every successful request had the server's usage figures
 * @param goodput         null when no SLO was given
 * @param itlDistribution histogram of all inter-token gaps of the point
 */
public record PointSummary(String target, String mode, double load, int requests, int succeeded,
                           Map<String, Integer> errors, double errorRate, int retryAfterSeen, double durationS,
                           double requestsPerS, double outputTokensPerS, double totalTokensPerS,
                           long outputTokens, long promptTokens, boolean outputTokensFromUsage,
                           Percentiles ttftMs, Percentiles itlMs, Percentiles tpotMs, Percentiles e2eMs,
                           Goodput goodput, Distribution itlDistribution) {

    public PointSummary {
        errors = Map.copyOf(errors);
    }

    /** Share and rate of requests that succeeded and met every given SLO. */
    public record Goodput(Double sloTtftMs, Double sloItlMs, int met, double share, double ratePerS) {
    }

    /** Fixed-width histogram: {@code counts[i]} gaps in [binStartMs[i], binStartMs[i] + binWidthMs); the last bin is open. */
    public record Distribution(double binWidthMs, double[] binStartMs, long[] counts) {
        public Distribution {
            if (binStartMs.length != counts.length) {
                throw new IllegalArgumentException("histogram bins and counts differ in length");
            }
        }
    }

    /** Label for this point's load, e.g. {@code c=4} or {@code 2.5 req/s}. */
    public String loadLabel() {
        return loadLabel(mode, load);
    }

    public static String loadLabel(String mode, double load) {
        String v = load == Math.rint(load) ? Long.toString((long) load) : Double.toString(load);
        return mode.equals("rate") ? v + " req/s" : "c=" + v;
    }
}
