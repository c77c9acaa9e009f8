package dev.gannet.runtime.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp(x) for x <= 0, vectorised with a polynomial (Cephes expf) built only from IEEE-exact lane
 * operations (fma, mul, add, int conversion of small values), so the JIT-compiled and the interpreted
 * code give the same bits: the Vector API's own {@code EXP} is compiled to SVML routines whose last bit
 * differs from the interpreter's, which made a token's bits depend on how warm the JIT was. Used by
 * attention's softmax, SwiGLU and the sampler. {@link StrictMath#exp} per value is several times
 * slower. Relative error about 2e-7.
 */
public final class ExactExp {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float MIN_X = -87.3f; // exp(MIN_X) is still a normal float; below it the score is as good as 0
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private ExactExp() {}

    /**
     * Replaces x[from, from + len) by exp(x - max) (all x <= max) and returns their sum, summed in a fixed order.
     *
     * @param lanes scratch of at least {@code S.length()} floats
     */
    public static float expInPlace(float[] x, int from, int len, float max, float[] lanes) {
        int j = 0;
        float sum = 0;
        int bound = S.loopBound(len);
        if (bound > 0) {
            FloatVector vmax = FloatVector.broadcast(S, max);
            FloatVector acc = FloatVector.zero(S);
            for (; j < bound; j += S.length()) {
                FloatVector e = exp(FloatVector.fromArray(S, x, from + j).sub(vmax));
                e.intoArray(x, from + j);
                acc = acc.add(e);
            }
            acc.intoArray(lanes, 0);
            for (int i = 0; i < S.length(); i++) sum += lanes[i];
        }
        for (; j < len; j++) {
            float e = scalarExp(x[from + j] - max);
            x[from + j] = e;
            sum += e;
        }
        return sum;
    }

    /** exp(x) for x <= 0, in {@code x}'s species. */
    public static FloatVector exp(FloatVector x) {
        x = x.max(MIN_X);
        // n = round(x * log2(e)); x <= 0, so round(u) = -trunc(0.5 - u)
        IntVector m = (IntVector) x.mul(-LOG2E).add(0.5f).convert(VectorOperators.F2I, 0);
        FloatVector n = (FloatVector) m.neg().convert(VectorOperators.I2F, 0);
        FloatVector r = n.fma(x.broadcast(-LN2_HI), x).add(n.mul(-LN2_LO));
        FloatVector p = x.broadcast(P0).fma(r, x.broadcast(P1));
        p = p.fma(r, x.broadcast(P2));
        p = p.fma(r, x.broadcast(P3));
        p = p.fma(r, x.broadcast(P4));
        p = p.fma(r, x.broadcast(P5));
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
        FloatVector pow2 = m.neg().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(pow2);
    }

    /** The same approximation for one value (the tail of a row). */
    public static float scalarExp(float x) {
        x = Math.max(x, MIN_X);
        int m = (int) (0.5f - x * LOG2E);
        float n = -m;
        float r = Math.fma(n, -LN2_HI, x) + n * -LN2_LO;
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = p * (r * r) + r + 1f;
        return y * Float.intBitsToFloat((127 - m) << 23);
    }
}
