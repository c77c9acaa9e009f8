package dev.gannet.runtime.cuda;

/**
 * Test reference for the FP8 E4M3 ("e4m3fn") conversions of common.cuh, written the same way: decode by building
 * the f32 bits, encode by rounding the f32 mantissa to 3 bits (ties to even), saturating at 448, subnormals as
 * multiples of 2^-9. KvStorage-style quantization of a head row: scale = max|x| / 448, code = encode(x / scale).
 */
final class Fp8E4m3Reference {
    private Fp8E4m3Reference() { }

    static float decode(int code) {
        int b = code & 0xFF;
        int exp = (b >> 3) & 0xF, man = b & 7;
        float mag = exp == 0 ? man * 0.001953125f : Float.intBitsToFloat((exp + 120) << 23 | man << 20);
        return (b & 0x80) != 0 ? -mag : mag;
    }

    static int encode(float x) {
        int sign = (Float.floatToRawIntBits(x) >>> 24) & 0x80;
        float a = Math.abs(x);
        if (Float.isNaN(a)) return 0;
        if (a >= 448f) return sign | 0x7E;
        if (a < 0.015625f) return sign | (int) Math.rint(a * 512f);
        int bits = Float.floatToRawIntBits(a);
        bits += 0x7FFFF + ((bits >>> 20) & 1);
        int code = ((bits >>> 23) - 120) << 3 | ((bits >>> 20) & 7);
        return sign | Math.min(code, 0x7E);
    }

    /** Quantizes one head row: codes into {@code out[off..]}, returns the row's scale. */
    static float quantizeRow(float[] x, int from, int n, byte[] out, int off) {
        float amax = 0;
        for (int i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[from + i]));
        float s = amax / 448f;
        float is = s == 0f ? 0f : 1f / s;
        for (int i = 0; i < n; i++) out[off + i] = (byte) encode(x[from + i] * is);
        return s;
    }
}
