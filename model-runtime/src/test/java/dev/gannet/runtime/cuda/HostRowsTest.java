package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.WeightLayout;

import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.Packing;
import dev.gannet.runtime.tensor.Quantizer;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** CPU-only: the bytes the upload writes for each weight type and layout. */
class HostRowsTest {
    private static WeightMatrix quantized(GgmlType type, int rows, int cols, long seed) {
        float[] w = new float[rows * cols];
        Random r = new Random(seed);
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian() * 0.1f;
        int rowBytes = (int) type.bytesFor(cols);
        byte[] q = new byte[rows * rowBytes];
        for (int i = 0; i < rows; i++) Quantizer.quantizeRow(type, w, i * cols, cols, q, i * rowBytes);
        return new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(q));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void packedQuantsAreReassembledIntoTheFileBlocksBitForBit(GgmlType type) {
        WeightMatrix file = quantized(type, 5, 96, 1);
        try (Arena a = Arena.ofShared()) { // Packing copies rows on the fork-join pool
            WeightMatrix packed = Packing.pack(file, a);
            HostRows rows = new HostRows();
            MemorySegment out = a.allocate(file.rowBytes());
            for (int r = 0; r < 5; r++) {
                rows.write(packed, r, DeviceMatrix.formatFor(type), DeviceDtype.F16, out, 0);
                assertArrayEquals(file.data().asSlice(r * file.rowStride(), file.rowBytes()).toArray(ValueLayout.JAVA_BYTE),
                        out.toArray(ValueLayout.JAVA_BYTE), type + " row " + r);
            }
        }
    }

    @Test
    void aColumnSliceOfAQuantizedMatrixCopiesOnlyItsBlocks() {
        WeightMatrix file = quantized(GgmlType.Q8_0, 3, 128, 2);
        WeightMatrix right = file.colSlice(64, 128); // a row-parallel shard: blocks 2 and 3 of each row
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(right.rowBytes());
            new HostRows().write(right, 1, DeviceMatrix.Format.Q8_0, DeviceDtype.F16, out, 0);
            assertArrayEquals(file.data().asSlice(file.rowStride() + 2 * 34, 2 * 34).toArray(ValueLayout.JAVA_BYTE),
                    out.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceDtype.class)
    void kQuantsAreDequantizedAndRoundedToTheActivationDtype(DeviceDtype t) throws Exception {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-q4_k_m.gguf"), WeightLayout.MAPPED);
             Arena a = Arena.ofConfined()) {
            WeightMatrix k = null;
            for (WeightMatrix w : new WeightMatrix[] {m.layer(0).wq(), m.layer(0).gate(), m.layer(0).down(), m.layer(0).wv()}) {
                if (w.type() == GgmlType.Q4_K || w.type() == GgmlType.Q6_K) k = w;
            }
            assertNotNull(k, "tiny-llama-q4_k_m has K-quant matrices");
            int n = k.cols();
            float[] want = new float[n];
            new ReferenceKernels().dequantizeRow(k, 1, want, 0);
            MemorySegment out = a.allocate((long) n * t.bytes());
            new HostRows().write(k, 1, DeviceMatrix.Format.DENSE, t, out, 0);
            for (int i = 0; i < n; i++) {
                float got = switch (t) {
                    case F32 -> out.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    case F16 -> Float.float16ToFloat(out.getAtIndex(ValueLayout.JAVA_SHORT, i));
                    case BF16 -> Float.intBitsToFloat(out.getAtIndex(ValueLayout.JAVA_SHORT, i) << 16);
                };
                assertEquals(GpuTestSupport.roundTo(new float[] {want[i]}, t)[0], got, 0f, t + " element " + i);
            }
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, HostRows.toBf16(1.0f));
        assertEquals((short) 0x3F80, HostRows.toBf16(Float.intBitsToFloat(0x3F808000))); // halfway: to even (0x3F80)
        assertEquals((short) 0x3F82, HostRows.toBf16(Float.intBitsToFloat(0x3F818000))); // halfway: to even (0x3F82)
        assertEquals((short) 0x3F81, HostRows.toBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0x7FC0, HostRows.toBf16(Float.NaN));
    }
}
