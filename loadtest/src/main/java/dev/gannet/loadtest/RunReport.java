package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * Everything a run measured and how, as written to results.json.
 *
 * @param commandLine   the command as typed (an --api-key value is replaced by ***)
 * @param workload      the workload and load options, by option name
 * @param tokenCounting how prompt lengths were counted (server /tokenize or a stated estimate)
 * @param promptsFitted synthetic prompt texts built to a token count; {@code promptsExact} of them hit it exactly
 * @param comparison    null unless --compare was given
 */
public record RunReport(String tool, String startedAt, String commandLine, List<String> arguments, Machine machine,
                        Map<String, Object> workload, String tokenCounting, int promptsFitted, int promptsExact,
                        List<Target> targets, List<PointSummary> points, Comparison comparison) {

    public RunReport {
        arguments = List.copyOf(arguments);
        targets = List.copyOf(targets);
        points = List.copyOf(points);
    }

    /** The load generator's machine: its limits are part of any result. */
    public record Machine(int cores, String os, String osVersion, String arch, String java, String javaVendor,
                          long maxHeapBytes) {
        public static Machine current() {
            Runtime rt = Runtime.getRuntime();
            return new Machine(rt.availableProcessors(), System.getProperty("os.name"),
                    System.getProperty("os.version"), System.getProperty("os.arch"),
                    System.getProperty("java.version"), System.getProperty("java.vendor"), rt.maxMemory());
        }
    }

    /**
     * One server under test.
     *
     * @param label       "A" for --url, "B" for --compare
     * @param models      the server's GET /v1/models answer, or null when that failed
     * @param modelsError why GET /v1/models failed, or null
     */
    public record Target(String label, String url, String model, JsonNode models, String modelsError) {
    }

    /** Per-point ratios between the two servers; {@code ratio} says which way they are taken. */
    public record Comparison(String ratio, List<Ratios> points) {
        public Comparison {
            points = List.copyOf(points);
        }
    }

    /** B/A ratios at one load; null where either side has no figure (or A's is zero). */
    public record Ratios(String mode, double load, Double outputTokensPerS, Double requestsPerS,
                         Double ttftP50, Double ttftP99, Double itlP50, Double itlP99, Double tpotP50,
                         Double e2eP50, Double errorRate, Double goodputPerS) {
    }
}
