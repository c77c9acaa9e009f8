package dev.gannet.runtime.engine;

/**
 * What a step costs, learned online: {@code nanos ~ a + b * tokens + c * pairs}, where {@code tokens} is the step's
 * token count (each streams every weight once: the matmuls) and {@code pairs} the attention work (every token times
 * the context it attends to), with {@code b, c >= 0}.
 *
 * <p>Fitted by least squares over the recent steps, kept in two windows: steps that prefilled (many tokens) and steps
 * that only decoded. A long run of decode-only steps would otherwise push the prefill steps out of a single window
 * (or, with an exponentially forgetting recursive fit, leave the token direction unexcited and the estimate drifting),
 * and a chunk of hundreds of tokens would look nearly free. A coefficient that fits negative is dropped and the rest
 * refitted (tokens and pairs never make a step cheaper). Engine thread only; nothing allocated per step.
 */
final class StepCostModel {
    /** Steps seen (at least {@link #WARM_PREFILLS} of them prefilling) before the model sizes a step. */
    static final int WARM_STEPS = 12;
    static final int WARM_PREFILLS = 2;
    private static final int DECODE_WINDOW = 48;
    private static final int PREFILL_WINDOW = 16;
    private static final double TOKEN_SCALE = 64;     // features scaled to comparable sizes
    private static final double PAIR_SCALE = 65536;

    private final Window decodes = new Window(DECODE_WINDOW);
    private final Window prefills = new Window(PREFILL_WINDOW);
    private final double[] theta = new double[3];     // a (nanos), b (per scaled token), c (per scaled pair)
    private final double[][] normal = new double[3][4]; // scratch: the normal equations, augmented
    private boolean dirty;
    private int steps;

    /** One window of recent observations, oldest overwritten first. */
    private static final class Window {
        final double[] tokens;
        final double[] pairs;
        final double[] nanos;
        int size;
        int next;

        Window(int capacity) {
            tokens = new double[capacity];
            pairs = new double[capacity];
            nanos = new double[capacity];
        }

        void add(double t, double p, double n) {
            tokens[next] = t;
            pairs[next] = p;
            nanos[next] = n;
            next = (next + 1) % tokens.length;
            size = Math.min(size + 1, tokens.length);
        }
    }

    /**
     * Records one step that ran {@code tokens} tokens over {@code pairs} attention pairs in {@code nanos};
     * {@code prefilled}: some row of it was a prompt chunk rather than one decode token.
     */
    void observe(long tokens, long pairs, long nanos, boolean prefilled) {
        (prefilled ? prefills : decodes).add(tokens / TOKEN_SCALE, pairs / PAIR_SCALE, nanos);
        steps++;
        dirty = true;
    }

    boolean warm() {
        return steps >= WARM_STEPS && prefills.size >= WARM_PREFILLS;
    }

    /** Predicted nanos of a step of {@code tokens} tokens and {@code pairs} attention pairs. */
    double predict(long tokens, long pairs) {
        if (dirty) {
            fit();
        }
        return theta[0] + theta[1] * (tokens / TOKEN_SCALE) + theta[2] * (pairs / PAIR_SCALE);
    }

    /** Least squares over both windows; a coefficient that comes out negative is fixed at zero and the rest refitted. */
    private void fit() {
        dirty = false;
        boolean useTokens = true;
        boolean usePairs = true;
        for (int attempt = 0; attempt < 3; attempt++) {
            solve(useTokens, usePairs);
            if (theta[1] >= 0 && theta[2] >= 0) {
                return;
            }
            if (theta[2] < 0 && usePairs) {
                usePairs = false;
            } else {
                useTokens = false;
            }
        }
        solve(false, false);
    }

    private void solve(boolean useTokens, boolean usePairs) {
        for (double[] row : normal) java.util.Arrays.fill(row, 0);
        accumulate(decodes);
        accumulate(prefills);
        for (int i = 0; i < 3; i++) {
            // A feature left out, or never seen to vary, keeps its coefficient at zero: a tiny ridge on the others.
            boolean used = i == 0 || (i == 1 ? useTokens : usePairs);
            if (!used) {
                java.util.Arrays.fill(normal[i], 0);
                for (int j = 0; j < 3; j++) normal[j][i] = 0;
                normal[i][i] = 1;
            } else {
                normal[i][i] += 1e-9 * (1 + normal[i][i]);
            }
        }
        gaussSolve();
    }

    private void accumulate(Window w) {
        for (int k = 0; k < w.size; k++) {
            double x1 = w.tokens[k];
            double x2 = w.pairs[k];
            double y = w.nanos[k];
            normal[0][0] += 1;
            normal[0][1] += x1;
            normal[0][2] += x2;
            normal[1][1] += x1 * x1;
            normal[1][2] += x1 * x2;
            normal[2][2] += x2 * x2;
            normal[0][3] += y;
            normal[1][3] += x1 * y;
            normal[2][3] += x2 * y;
        }
        normal[1][0] = normal[0][1];
        normal[2][0] = normal[0][2];
        normal[2][1] = normal[1][2];
    }

    /** Gaussian elimination with partial pivoting on the 3x4 augmented system; the solution goes to theta. */
    private void gaussSolve() {
        double[][] m = normal;
        for (int col = 0; col < 3; col++) {
            int pivot = col;
            for (int r = col + 1; r < 3; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            if (Math.abs(m[col][col]) < 1e-300) {
                theta[0] = theta[1] = theta[2] = 0;
                return;
            }
            for (int r = col + 1; r < 3; r++) {
                double f = m[r][col] / m[col][col];
                for (int c = col; c < 4; c++) m[r][c] -= f * m[col][c];
            }
        }
        for (int i = 2; i >= 0; i--) {
            double s = m[i][3];
            for (int j = i + 1; j < 3; j++) s -= m[i][j] * theta[j];
            theta[i] = s / m[i][i];
        }
    }

    /**
     * The most prefill tokens a step may add to its decodes and stay within {@code targetNanos}: the decodes cost
     * {@code decodeTokens} tokens and {@code decodePairs} pairs; the prefill chunk starts at context position
     * {@code start} (its tokens attend to everything before them). At least 1, so prompts always advance; at most
     * {@code max}. The predicted cost grows with the chunk (b, c >= 0), so a binary search finds it.
     */
    int maxPrefillTokens(int decodeTokens, long decodePairs, int start, long targetNanos, int max) {
        int lo = 1;
        int hi = Math.max(1, max);
        if (predict(decodeTokens + (long) hi, decodePairs + pairs(start, hi)) <= targetNanos) return hi;
        while (lo < hi) {
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
