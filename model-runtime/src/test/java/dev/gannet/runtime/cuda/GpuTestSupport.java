package dev.gannet.runtime.cuda;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.cuda.CudaUnavailableException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/**
 * GPU test plumbing: opens device 0 or skips the test with one line, and moves arrays to and from
 * the device in any {@link DeviceDtype}. Tests may read the environment (main code may not).
 */
final class GpuTestSupport implements AutoCloseable {
    final CudaContext cuda;
    final CudaLibraryPaths paths;
    private final List<Long> allocations = new ArrayList<>();

    private GpuTestSupport(CudaContext cuda, CudaLibraryPaths paths) {
        this.cuda = cuda;
        this.paths = paths;
    }

    /** Device 0, or a skipped test: "no CUDA device: libcuda.so.1 not found; looked in: ...". */
    static GpuTestSupport openOrSkip() {
        try {
            CudaLibraryPaths paths = CudaLibraryPaths.fromEnvironment(System.getenv());
            return new GpuTestSupport(CudaContext.open(paths, 0), paths);
        } catch (CudaUnavailableException e) {
            Assumptions.assumeTrue(false, "no CUDA device: " + e.getMessage());
            throw new AssertionError("unreachable");
        }
    }

    long alloc(long bytes) {
        long p = cuda.alloc(bytes);
        allocations.add(p);
        return p;
    }

    long upload(float[] a, DeviceDtype t) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) a.length * t.bytes(), 8);
            for (int i = 0; i < a.length; i++) {
                switch (t) {
                    case F32 -> host.setAtIndex(ValueLayout.JAVA_FLOAT, i, a[i]);
                    case F16 -> host.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(a[i]));
                    case BF16 -> host.setAtIndex(ValueLayout.JAVA_SHORT, i, toBf16(a[i]));
                }
            }
            long p = alloc(Math.max(1, host.byteSize()));
            cuda.upload(p, host);
            return p;
        }
    }

    long upload(int[] a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_INT, a);
            long p = alloc(Math.max(4, host.byteSize()));
            cuda.upload(p, host);
            return p;
        }
    }

    long upload(byte[] a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_BYTE, a);
            long p = alloc(Math.max(1, host.byteSize()));
            cuda.upload(p, host);
            return p;
        }
    }

    float[] download(long p, int n, DeviceDtype t) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) n * t.bytes(), 8);
            cuda.download(host, p);
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = switch (t) {
                    case F32 -> host.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    case F16 -> Float.float16ToFloat(host.getAtIndex(ValueLayout.JAVA_SHORT, i));
                    case BF16 -> Float.intBitsToFloat(host.getAtIndex(ValueLayout.JAVA_SHORT, i) << 16);
                };
            }
            return out;
        }
    }

    int[] downloadInts(long p, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) n * 4, 8);
            cuda.download(host, p);
            return host.toArray(ValueLayout.JAVA_INT);
        }
    }

    static short toBf16(float f) { // round to nearest even, as __float2bfloat16_rn
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) 0x7FC0;
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The values as the device will see them after conversion to {@code t}. */
    static float[] roundTo(float[] a, DeviceDtype t) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = switch (t) {
                case F32 -> a[i];
                case F16 -> Float.float16ToFloat(Float.floatToFloat16(a[i]));
                case BF16 -> Float.intBitsToFloat(toBf16(a[i]) << 16);
            };
        }
        return r;
    }

    static float[] random(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * scale;
        return a;
    }

    /** Max |a - b| / (atol + rtol |b|) must stay <= 1. */
    static void assertClose(float[] want, float[] got, float atol, float rtol, String what) {
        if (want.length != got.length) throw new AssertionError(what + ": length " + got.length + " != " + want.length);
        for (int i = 0; i < want.length; i++) {
            float err = Math.abs(want[i] - got[i]);
            if (!(err <= atol + rtol * Math.abs(want[i]))) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", want " + want[i]
                        + " (atol " + atol + ", rtol " + rtol + ")");
            }
        }
    }

    /** Tolerances per dtype: f32 math is exact up to reordering; f16/bf16 outputs are rounded once. */
    static float atol(DeviceDtype t) {
        return switch (t) { case F32 -> 2e-5f; case F16 -> 2e-3f; case BF16 -> 1.6e-2f; };
    }

    static float rtol(DeviceDtype t) {
        return switch (t) { case F32 -> 2e-5f; case F16 -> 2e-3f; case BF16 -> 1.6e-2f; };
    }

    @Override
    public void close() {
        try {
            for (long p : allocations) cuda.free(p);
        } finally {
            cuda.close();
        }
    }
}
