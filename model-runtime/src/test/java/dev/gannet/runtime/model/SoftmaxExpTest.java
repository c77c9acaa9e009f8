package dev.gannet.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SoftmaxExpTest {
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
            assertEquals(want[i], SoftmaxExp.scalarExp(x[i] - 3f), want[i] * 3e-7f, "scalar exp at " + (x[i] - 3f));
        }
        float got = SoftmaxExp.expInPlace(x, 0, n, 3f, new float[64]);
        for (int i = 0; i < n; i++) assertEquals(want[i], x[i], want[i] * 3e-7f + Float.MIN_NORMAL, "vector exp at row " + i);
        assertEquals(sum, got, sum * 1e-6);
        assertEquals(1f, SoftmaxExp.scalarExp(0f));
        assertEquals(0f, SoftmaxExp.scalarExp(Float.NEGATIVE_INFINITY), 1e-37f);
    }
}
