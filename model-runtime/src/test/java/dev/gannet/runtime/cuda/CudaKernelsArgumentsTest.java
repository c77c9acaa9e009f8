package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * CPU-only: the Java side of every kernel agrees with the CUDA sources (names and parameter kinds),
 * each launch method packs exactly that signature with the values in order, and the fatbin built
 * by Maven holds every kernel.
 */
class CudaKernelsArgumentsTest {

    /** Records launches instead of calling the driver. */
    static final class Recorder implements CudaKernels.Launcher {
        final List<String> launches = new ArrayList<>();
        final List<long[]> values = new ArrayList<>();

        @Override
        public void launch(Kernel k, int gx, int gy, int gz, int block, int shared, LaunchArgs args) {
            launches.add(k.name() + " " + args.kinds() + " grid(" + gx + "," + gy + "," + gz + ") block " + block + " smem " + shared);
            long[] v = new long[args.count()];
            for (int i = 0; i < v.length; i++) {
                // the pointer array must point at the slots, in order
                assertEquals(args.slot(i).address(), args.pointerArray().getAtIndex(ValueLayout.ADDRESS, i).address());
                v[i] = args.slot(i).get(ValueLayout.JAVA_LONG, 0);
            }
            values.add(v);
        }
    }

    @Test
    void catalogMatchesTheCudaSources() throws IOException {
        Map<String, String> src = CudaSources.signatures();
        Map<String, String> java = new TreeMap<>();
        Kernel.catalog().forEach(k -> java.put(k.name(), k.signature()));
        assertEquals(new TreeMap<>(src), java);
    }

    @Test
    void everyLauncherPacksItsKernelsSignature() {
        var r = new Recorder();
        DecodeSplit split = DecodeSplit.evenly(1000, 4, 16);
        try (var k = new CudaKernels(r, "recorder")) {
            for (DeviceDtype t : DeviceDtype.values()) {
                k.rmsNormResidual(t, 1, 2, 3, 4, 5, 4096, 1e-5f);
                for (KvFormat f : KvFormat.values()) {
                    long ks = f == KvFormat.NATIVE ? 0 : 10, vs = f == KvFormat.NATIVE ? 0 : 11;
                    k.ropeKvWrite(t, f, 1, 2, 3, 4, 5, ks, vs, 6, 7, 8, 9, 3, 32, 8, 128, 128, true);
                    k.pagedDecodeAttention(t, f, 1, 2, 3, 4, ks, vs, 5, 6, 3, 64, 32, 8, 128, 16, split, 0.088f, 100,
                            CudaKernels.decodeWorkspaceBytes(3, 32, 128, split));
                    k.prefillAttention(t, f, 1, 2, 3, 4, ks, vs, 5, 64, 6, 7, 2, 100, 32, 8, 128, 16, 0.088f);
                }
                k.swiglu(t, 1, 2, 3, 7, 11008, 22016);
                k.gemvQ8_0(t, 1, 2, 3, 1, 4096, 4096);
                k.gemvQ4_0(t, 1, 2, 3, 1, 4096, 4096);
                k.gemv(false, t, DeviceDtype.F32, 1, 2, 3, 2, 128256, 4096);
                k.dequantize(true, t, 1, 2, 14336, 4096);
                k.biasAdd(t, 1, 2, 5, 896);
                k.vectorAdd(t, 1, 2, 3, 4096 * 7);
            }
            k.embedding(DeviceDtype.BF16, DeviceDtype.F32, 1, 2, 3, 4, 2048, 32000);
            k.gatherRows(DeviceDtype.F16, 1, 2, 3, 4, 2048, 100);
            k.argmax(1, 2, 4, 32000);
            k.sampleTopKTopP(1, 2, 3, 4, 5, 6, 4, 32000);
        }
        assertEquals(3 * (1 + 3 * 4 + 7) + 4, r.launches.size());
        String all = String.join("\n", r.launches);
        int decodeSmem = (4 * 128 + 4 * 256 + 3 * 4) * 4; // group 4: q, one chunk of scores, max/sum/alpha
        assertTrue(r.launches.contains("paged_decode_partial_q8_0_bf16 ppppppppppiiiiiif grid(4,8,3) block 128 smem " + decodeSmem), all);
        assertTrue(r.launches.contains("prefill_attention_fp8_f16 " + Kernel.PREFILL + " grid(7,32,2) block 128 smem " + (80 * 128 + 32) * 4), all);
        assertTrue(r.launches.contains("rope_kv_write_f32 " + Kernel.ROPE + " grid(3,1,1) block 128 smem 0"), all);
        assertTrue(r.launches.contains("gemv_q8_0_f16_f32 " + Kernel.GEMV + " grid(32064,1,1) block 128 smem 0"), all);
        assertTrue(r.launches.contains("gemv_q8_0_f32 " + Kernel.GEMV + " grid(32064,1,1) block 128 smem 0"), all);
        assertTrue(r.launches.contains("dequant_q4_0_bf16 " + Kernel.DEQUANT + " grid(229376,1,1) block 256 smem 0"), all);
        assertTrue(r.launches.contains("embedding_f16_f16 " + Kernel.EMBEDDING + " grid(4,1,1) block 256 smem 0"), all);
        long[] rms = r.values.getFirst(); // rmsNormResidual f32: pointers, then ints, then the float's bits
        assertEquals(1, rms[0]);
        assertEquals(4, rms[3]);
        assertEquals(4096, rms[5]);
        assertEquals(Float.floatToRawIntBits(1e-5f), (int) rms[6]);
        long[] rope = r.values.get(1); // the scale regions follow the caches
        assertEquals(0, rope[5]);
        assertEquals(6, rope[7]);
    }

    @Test
    void decodeWorkspaceIsLaidOutAsOutThenMaxThenSum() {
        var r = new Recorder();
        DecodeSplit split = DecodeSplit.evenly(300, 2, 16);
        try (var k = new CudaKernels(r, "recorder")) {
            k.pagedDecodeAttention(DeviceDtype.F32, KvFormat.NATIVE, 1, 2, 3, 4, 0, 0, 5, 6, 2, 32, 4, 2, 64, 16, split, 0.125f, 1000, 1 << 20);
        }
        int parts = split.partitions();
        assertEquals(2, parts);
        long rows = 2L * 4 * parts;
        long[] partial = r.values.get(0), reduce = r.values.get(1);
        assertEquals(1000, partial[0]);
        assertEquals(1000 + rows * 64 * 4, partial[1]);
        assertEquals(1000 + rows * 64 * 4 + rows * 4, partial[2]);
        assertEquals(split.blocksPerPartition(), partial[15]);
        assertEquals(partial[0], reduce[1]);
        assertEquals(parts, reduce[6]);
    }

    @Test
    void badShapesAreRejectedBeforeLaunch() {
        var r = new Recorder();
        DecodeSplit one = DecodeSplit.whole(64, 16);
        try (var k = new CudaKernels(r, "recorder")) {
            assertThrows(IllegalArgumentException.class, () -> k.gemvQ8_0(DeviceDtype.F32, 1, 2, 3, 1, 8, 40));
            assertThrows(IllegalArgumentException.class, () -> k.gemv(true, DeviceDtype.F16, DeviceDtype.BF16, 1, 2, 3, 1, 8, 64));
            assertThrows(IllegalArgumentException.class, () -> k.prefillAttention(DeviceDtype.F32, KvFormat.NATIVE, 1, 2, 3, 4, 0, 0, 5, 4, 6, 7, 1, 8, 32, 5, 128, 16, 1f));
            assertThrows(IllegalArgumentException.class, () -> k.pagedDecodeAttention(DeviceDtype.F32, KvFormat.NATIVE, 1, 2, 3, 4, 0, 0, 5, 6, 1, 4, 8, 8, 512, 16, one, 1f, 9, 1 << 20));
            assertThrows(IllegalArgumentException.class, () -> k.pagedDecodeAttention(DeviceDtype.F32, KvFormat.NATIVE, 1, 2, 3, 4, 0, 0, 5, 6, 1, 4, 8, 8, 64, 16, one, 1f, 9, 16));
            assertThrows(IllegalArgumentException.class, () -> k.pagedDecodeAttention(DeviceDtype.F32, KvFormat.FP8, 1, 2, 3, 4, 0, 0, 5, 6, 1, 4, 8, 8, 64, 16, one, 1f, 9, 1 << 20));
            assertThrows(IllegalArgumentException.class, () -> k.ropeKvWrite(DeviceDtype.F32, KvFormat.Q8_0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 4, 4, 48, 48, false));
            assertThrows(IllegalArgumentException.class, () -> k.embedding(DeviceDtype.F16, DeviceDtype.BF16, 1, 2, 3, 1, 8, 8));
            assertThrows(IllegalArgumentException.class, () -> k.ropeKvWrite(DeviceDtype.F32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 4, 4, 64, 65, false));
        }
        assertEquals(List.of(), r.launches);
    }

    @Test
    void launchArgsRejectAMismatchedPacking() {
        try (Arena a = Arena.ofConfined()) {
            var args = new LaunchArgs(a).reset().ptr(7).i32(-3).f32(2.5f);
            assertTrue(args.matches("pif"));
            assertTrue(!args.matches("ppf") && !args.matches("pi"));
            assertEquals(-3, args.slot(1).get(ValueLayout.JAVA_INT, 0));
            assertEquals(2.5f, args.slot(2).get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(0, args.reset().count());
        }
    }

    @Test
    void fatbinHoldsEveryKernel() throws IOException {
        byte[] fatbin;
        try (InputStream in = CudaKernels.class.getResourceAsStream(CudaKernels.RESOURCE)) {
            Assumptions.assumeTrue(in != null, "no gannet_kernels.fatbin: the build had no nvcc");
            fatbin = in.readAllBytes();
        }
        // a fatbin image starts with the fatbin data header magic 0xBA55ED50 (little-endian)
        assertEquals(0xBA55ED50, ByteBuffer.wrap(fatbin).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        String text = new String(fatbin, StandardCharsets.ISO_8859_1);
        for (Kernel k : Kernel.catalog()) {
            assertTrue(text.contains(".text." + k.name() + "\0"), "fatbin lacks " + k.name());
        }
    }
}
