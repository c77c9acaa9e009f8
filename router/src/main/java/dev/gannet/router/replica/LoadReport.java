package dev.gannet.router.replica;

/**
 * The two load gauges a replica exposes on {@code /metrics}, read from Prometheus text. Gannet names
 * them {@code gannet:num_requests_waiting} and {@code gannet:kv_cache_usage_perc}; vLLM's {@code vllm:}
 * names are read too, so the router also works in front of vLLM. Series of several label sets (models)
 * are summed (waiting) or maxed (usage). Lines it does not understand are skipped.
 *
 * @param waiting  requests queued at the replica
 * @param kvUsage  fraction of its KV cache in use, 0..1
 */
public record LoadReport(double waiting, double kvUsage) {
    public static final String WAITING = "gannet:num_requests_waiting";
    public static final String KV_USAGE = "gannet:kv_cache_usage_perc";
    private static final String VLLM_WAITING = "vllm:num_requests_waiting";
    private static final String VLLM_KV_USAGE = "vllm:kv_cache_usage_perc";

    public LoadReport {
        if (!(waiting >= 0) || !(kvUsage >= 0)) throw new IllegalArgumentException("negative or NaN load");
    }

    /** Parses Prometheus text; returns null when neither gauge is present (not a Gannet/vLLM metrics page). */
    public static LoadReport parse(String text) {
        double waiting = 0;
        double usage = 0;
        boolean seen = false;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) eol = n;
            String line = text.substring(pos, eol);
            pos = eol + 1;
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            if (isSample(line, WAITING) || isSample(line, VLLM_WAITING)) {
                double v = value(line);
                if (v >= 0) {
                    waiting += v;
                    seen = true;
                }
            } else if (isSample(line, KV_USAGE) || isSample(line, VLLM_KV_USAGE)) {
                double v = value(line);
                if (v >= 0) {
                    usage = Math.max(usage, Math.min(1, v));
                    seen = true;
                }
            }
        }
        return seen ? new LoadReport(waiting, usage) : null;
    }

    /** The sample value of one exposition line (name, optional {labels}, value, optional timestamp); -1 if malformed. */
    private static double value(String line) {
        int close = line.lastIndexOf('}');
        int start = close >= 0 ? close + 1 : indexOfSpace(line);
        if (start < 0) return -1;
        String[] parts = line.substring(start).trim().split("\\s+");
        if (parts.length == 0 || parts[0].isEmpty()) return -1;
        try {
            double v = Double.parseDouble(parts[0]);
            return Double.isFinite(v) ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isSample(String line, String name) {
        if (!line.startsWith(name) || line.length() == name.length()) return false;
        char next = line.charAt(name.length());
        return next == '{' || next == ' ' || next == '\t';
    }

    private static int indexOfSpace(String line) {
        int i = line.indexOf(' ');
        return i < 0 ? -1 : i;
    }
}
