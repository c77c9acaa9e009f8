package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * CPU-only: the E4M3 reference (and so the identical code in common.cuh) against the format's definition: every
 * finite code decodes to the value the OCP FP8 spec gives and encodes back to itself; ties round to the even code;
 * large values saturate at 448; the GPU test compares the kernels' bytes with this reference.
 */
class Fp8E4m3ReferenceTest {
    /** The spec's value of a code, computed the long way. */
    private static double spec(int code) {
        int sign = (code >> 7) & 1, exp = (code >> 3) & 0xF, man = code & 7;
        double mag = exp == 0 ? man / 8.0 * Math.pow(2, -6) : (1 + man / 8.0) * Math.pow(2, exp - 7);
        return sign == 1 ? -mag : mag;
    }

    @Test
    void everyFiniteCodeRoundTrips() {
        for (int c = 0; c < 256; c++) {
            if ((c & 0x7F) == 0x7F) continue; // NaN
            assertEquals(spec(c), Fp8E4m3Reference.decode(c), 0.0, "code " + c);
            if (c == 0x80) continue; // -0 encodes as +0's magnitude with the sign kept
            assertEquals(c, Fp8E4m3Reference.encode(Fp8E4m3Reference.decode(c)), "code " + c);
        }
        assertEquals(0x80, Fp8E4m3Reference.encode(-0.0f));
    }

    @Test
    void roundsToNearestEvenAndSaturates() {
        assertEquals(448.0, Fp8E4m3Reference.decode(0x7E), 0.0);
        assertEquals(0x7E, Fp8E4m3Reference.encode(1e6f));
        assertEquals(0xFE, Fp8E4m3Reference.encode(-460f));
        // 1.0625 lies halfway between 1.0 (0x38) and 1.125 (0x39): ties to the even mantissa, 1.0
        assertEquals(0x38, Fp8E4m3Reference.encode(1.0625f));
        // 1.1875 lies halfway between 1.125 (0x39) and 1.25 (0x3A): ties to even, 1.25
        assertEquals(0x3A, Fp8E4m3Reference.encode(1.1875f));
        // subnormals: 3.5 * 2^-9 lies between codes 3 and 4: even, 4
        assertEquals(4, Fp8E4m3Reference.encode(3.5f * 0.001953125f));
        // 7.5 * 2^-9 rounds up to 8 * 2^-9 = 2^-6, the smallest normal, code 0x08
        assertEquals(0x08, Fp8E4m3Reference.encode(7.5f * 0.001953125f));
        assertEquals(0, Fp8E4m3Reference.encode(Float.NaN));
    }

    @Test
    void aQuantizedRowKeepsItsLargestValueExactly() {
        float[] x = {0.5f, -3f, 1.25f, 0f, 2.9f};
        byte[] q = new byte[5];
        float s = Fp8E4m3Reference.quantizeRow(x, 0, 5, q, 0);
        assertEquals(3f / 448f, s, 0f);
        assertEquals(-3f, Fp8E4m3Reference.decode(q[1]) * s, 1e-6f);
        for (int i = 0; i < 5; i++) assertEquals(x[i], Fp8E4m3Reference.decode(q[i]) * s, Math.abs(x[i]) / 16 + 1e-6f, "element " + i);
    }
}
