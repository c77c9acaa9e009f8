package dev.gannet.runtime.engine;

/**
 * What a step costs, learned online: {@code nanos ~ a + b * tokens + c * pairs}, where {@code tokens} is the step's
 * token count (each streams every weight once: the matmuls) and {@code pairs} the attention work (every token times
 * the context it attends to). Fitted by recursive least squares with a forgetting factor, so it follows the machine
 * (warm-up, other load) within a few dozen steps. Engine thread only.
 */
final class StepCostModel {
    private static final double FORGET = 0.97;
    /** Steps seen before the model is trusted to size a step. */
    static final int WARM_STEPS = 12;

    private final double[] theta = new double[3];  // a, b, c (nanos; nanos per token; nanos per pair)
    private final double[][] p = new double[3][3]; // inverse information matrix
    private final double[] scale = {1, 64, 65536};  // features scaled to comparable sizes
    private final double[] x = new double[3];       // scratch: observe runs once per step
    private final double[] px = new double[3];
    private int steps;

    StepCostModel() {
        for (int i = 0; i < 3; i++) p[i][i] = 1e6;
    }

    /** Records one step that ran {@code tokens} tokens over {@code pairs} attention pairs in {@code nanos}. */
    void observe(long tokens, long pairs, long nanos) {
        x[0] = 1;
        x[1] = tokens / scale[1];
        x[2] = pairs / scale[2];
        for (int i = 0; i < 3; i++) {
            px[i] = 0;
            for (int j = 0; j < 3; j++) px[i] += p[i][j] * x[j];
        }
        double denom = FORGET;
        for (int i = 0; i < 3; i++) denom += x[i] * px[i];
        double err = nanos - (theta[0] * x[0] + theta[1] * x[1] + theta[2] * x[2]);
        for (int i = 0; i < 3; i++) theta[i] += px[i] / denom * err;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) p[i][j] = (p[i][j] - px[i] * px[j] / denom) / FORGET;
        }
        steps++;
    }

    boolean warm() {
        return steps >= WARM_STEPS;
    }

    /** Predicted nanos of a step of {@code tokens} tokens and {@code pairs} attention pairs. */
    double predict(long tokens, long pairs) {
        return theta[0] + theta[1] * (tokens / scale[1]) + theta[2] * (pairs / scale[2]);
    }

    /**
     * The most prefill tokens a step may add to its decodes and stay within {@code targetNanos}: the decodes cost
     * {@code decodeTokens} tokens and {@code decodePairs} pairs; the prefill chunk starts at context position
     * {@code start} (its tokens attend to everything before them). At least 1, so prompts always advance; at most
     * {@code max}.
     */
    int maxPrefillTokens(int decodeTokens, long decodePairs, int start, long targetNanos, int max) {
        int lo = 1;
        int hi = Math.max(1, max);
        if (predict(decodeTokens + (long) hi, decodePairs + pairs(start, hi)) <= targetNanos) return hi;
        while (lo < hi) { // the largest n whose predicted step fits; cost grows with n
            int mid = (lo + hi + 1) >>> 1;
            if (predict(decodeTokens + (long) mid, decodePairs + pairs(start, mid)) <= targetNanos) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** Attention pairs of {@code n} tokens at positions start .. start + n - 1 (each attends to itself and before). */
    static long pairs(long start, long n) {
        return n * start + n * (n + 1) / 2;
    }
}
