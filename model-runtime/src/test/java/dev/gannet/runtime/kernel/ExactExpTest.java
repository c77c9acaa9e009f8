package dev.gannet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExactExpTest {
    @Test
    void vectorAndScalarExpMatchStrictMath() {
        int n = 963; // down to -86.6, above the clamp at -87.3; not a multiple of the vector width: the tail takes the scalar path
        float[] x = new float[n];
        float[] want = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            x[i] = 3f - i * 0.09f; // scores from max down to about -87
            want[i] = (float) StrictMath.exp(x[i] - 3f);
            sum += want[i];
            assertEquals(want[i], ExactExp.scalarExp(x[i] - 3f), want[i] * 3e-7f, "scalar exp at " + (x[i] - 3f));
        }
        float got = ExactExp.expInPlace(x, 0, n, 3f, new float[64]);
        for (int i = 0; i < n; i++) assertEquals(want[i], x[i], want[i] * 3e-7f + Float.MIN_NORMAL, "vector exp at row " + i);
        assertEquals(sum, got, sum * 1e-6);
        assertEquals(1f, ExactExp.scalarExp(0f));
        assertEquals(0f, ExactExp.scalarExp(Float.NEGATIVE_INFINITY), 1e-37f);
    }

    /** The vector and scalar forms are the same operations, so the same bits, lane by lane. */
    @Test
    void vectorAndScalarFormsAgreeBitForBit() {
        var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        java.util.Random r = new java.util.Random(3);
        float[] x = new float[species.length()];
        float[] got = new float[species.length()];
        for (int round = 0; round < 2000; round++) {
            for (int i = 0; i < x.length; i++) x[i] = -(float) Math.abs(r.nextGaussian() * (round % 2 == 0 ? 3 : 40));
            ExactExp.exp(jdk.incubator.vector.FloatVector.fromArray(species, x, 0)).intoArray(got, 0);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(ExactExp.scalarExp(x[i])), Float.floatToIntBits(got[i]), "exp(" + x[i] + ")");
            }
        }
    }

    /** SwiGLU's vector lanes and scalar tail give the same bits, and large |gate| neither overflows nor NaNs. */
    @Test
    void swigluIsExactAndSafeAtLargeGates() {
        int n = 16 * 5 + 7; // vector lanes and a scalar tail
        float[] gate = new float[n];
        float[] up = new float[n];
        java.util.Random r = new java.util.Random(9);
        for (int i = 0; i < n; i++) {
            gate[i] = i % 9 == 0 ? (i % 2 == 0 ? 120f : -120f) : (float) r.nextGaussian() * 4;
            up[i] = (float) r.nextGaussian();
        }
        float[] want = new float[n];
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            float e = ExactExp.scalarExp(-Math.abs(g));
            want[i] = (g >= 0f ? g : g * e) / (1f + e) * up[i];
            double exact = g / (1.0 + Math.exp(-g)) * up[i];
            assertEquals(exact, want[i], Math.abs(exact) * 1e-6 + 1e-30, "silu at " + g);
        }
        try (VectorKernels k = new VectorKernels(1)) {
            k.swiglu(gate, up, 1, n);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(gate[i]), "element " + i);
        }
    }
}
