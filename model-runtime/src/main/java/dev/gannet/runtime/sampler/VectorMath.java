package dev.gannet.runtime.sampler;

import dev.gannet.runtime.kernel.ExactExp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The two whole-vocabulary passes of sampling, on SIMD lanes: a max and a shifted, scaled exp. */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {}

    /** Largest of {@code a[off, off + n)} (NaN is ignored unless everything is NaN). */
    static float max(float[] a, int off, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= S.length()) {
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                acc = acc.max(FloatVector.fromArray(S, a, off + i));
            }
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, a[off + i]);
        return m;
    }

    /**
     * {@code dst[i] = exp((src[srcOff + i] - shift) * scale)} for i in [0, n), every argument <= 0
     * (shift is the maximum, scale > 0); returns their sum. Exact lane operations only
     * ({@link ExactExp}, a fixed summing order), so the same seed draws the same token cold or warm.
     */
    static double expShifted(float[] src, int srcOff, float[] dst, int n, float shift, float scale) {
        double sum = 0;
        int i = 0;
        int bound = S.loopBound(n);
        while (i < bound) {
            // flush the float partial sums to double every few hundred vectors to keep precision
            FloatVector acc = FloatVector.zero(S);
            for (int end = Math.min(bound, i + 256 * S.length()); i < end; i += S.length()) {
                FloatVector e = ExactExp.exp(FloatVector.fromArray(S, src, srcOff + i).sub(shift).mul(scale));
                e.intoArray(dst, i);
                acc = acc.add(e);
            }
            for (int l = 0; l < S.length(); l++) sum += acc.lane(l); // a fixed order: reduceLanes may add in another once compiled
        }
        for (; i < n; i++) {
            float e = ExactExp.scalarExp((src[srcOff + i] - shift) * scale);
            dst[i] = e;
            sum += e;
        }
        return sum;
    }
}
