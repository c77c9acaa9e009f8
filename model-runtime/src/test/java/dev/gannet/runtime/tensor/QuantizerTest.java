package dev.gannet.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufTensorInfo;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Our quantizers against llama.cpp's own output for the same f32 weights: byte for byte. */
class QuantizerTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ParameterizedTest
    @ValueSource(strings = {"f16", "bf16", "q8_0", "q4_0"})
    void matchesLlamaCppByteForByte(String suffix) throws Exception {
        try (GgufFile f32 = GgufFile.open(TestModels.path("tiny-llama-f32.gguf"));
             GgufFile q = GgufFile.open(TestModels.path("tiny-llama-" + suffix + ".gguf"))) {
            int compared = 0;
            for (GgufTensorInfo want : q.tensors().values()) {
                GgufTensorInfo src = f32.tensor(want.name());
                assertEquals(src.elementCount(), want.elementCount(), want.name());
                float[] x = src.data().toArray(F32);
                byte[] got = new byte[(int) want.type().bytesFor(x.length)];
                int row = (int) want.shape()[0];
                long rowBytes = want.type().bytesFor(row);
                for (int r = 0; r < x.length / row; r++) {
                    Quantizer.quantizeRow(want.type(), x, r * row, row, got, (int) (r * rowBytes));
                }
                byte[] expected = want.data().toArray(ValueLayout.JAVA_BYTE);
                assertEquals(-1, java.util.Arrays.mismatch(expected, got), want.name() + " (" + want.type() + ") first differing byte");
                if (want.type() != GgmlType.F32) compared++;
            }
            assertTrue(compared >= 30, "only " + compared + " quantized tensors compared");
        }
    }

    @Test
    void roundingHelpersFollowC() {
        assertEquals(3, Quantizer.roundHalfAway(2.5f));
        assertEquals(-3, Quantizer.roundHalfAway(-2.5f));
        assertEquals(0, Quantizer.roundHalfAway(0.49999997f));
        assertEquals((short) 0x3f80, Quantizer.toBf16(1f));
        // 1 + 2^-8 is exactly half way between two bf16 values: ties to even (down to 1.0)
        assertEquals((short) 0x3f80, Quantizer.toBf16(1f + 0x1p-8f));
        assertEquals((short) 0x3f82, Quantizer.toBf16(1f + 3 * 0x1p-8f));
        assertEquals(0x7fc0, Quantizer.toBf16(Float.NaN) & 0xffff);
    }
}
