package dev.gannet.runtime.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.kernel.VectorKernels;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Row-parallel shards are column slices of row-major weights (strided views): both kernel implementations
 * must read them at the parent's row pitch, for every weight type.
 */
class ColumnSliceTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama-f32.gguf", "tiny-llama-f16.gguf", "tiny-llama-bf16.gguf", "tiny-llama-q8_0.gguf",
            "tiny-llama-q4_0.gguf", "tiny-llama-q4_k_m.gguf", "tiny-qwen2-hf-bf16"})
    void kernelsReadColumnSlicesAtTheParentsRowPitch(String name) throws IOException {
        try (Model m = ModelLoader.load(TestModels.path(name));
             Kernels ref = new ReferenceKernels();
             Kernels vec = new VectorKernels(2)) {
            WeightMatrix down = m.layer(0).down(); // (dim, ffn): the FFN width splits into whole blocks of every type
            int block = down.type().blockSize();
            int from = Math.max(block, down.cols() / 3 / block * block);
            int to = down.cols() - block;
            WeightMatrix slice = down.colSlice(from, to);
            assertFalse(slice.contiguous());
            assertEquals(down.rowStride(), slice.rowStride());
            int n = 3;
            int k = to - from;
            float[] x = new float[n * k];
            Random rnd = new Random(7);
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();

            // The expected product from whole dequantized rows, restricted to the slice's columns.
            float[] row = new float[down.cols()];
            float[] want = new float[n * down.rows()];
            for (int r = 0; r < down.rows(); r++) {
                ref.dequantizeRow(down, r, row, 0);
                for (int t = 0; t < n; t++) {
                    double acc = 0;
                    for (int c = 0; c < k; c++) acc += (double) row[from + c] * x[t * k + c];
                    want[t * down.rows() + r] = (float) acc;
                }
            }
            for (Kernels kern : new Kernels[] {ref, vec}) {
                for (int tokens : new int[] {1, n}) {
                    float[] got = new float[tokens * down.rows()];
                    kern.matmul(slice, x, got, tokens);
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(want[i], got[i], 1e-4f * (1 + Math.abs(want[i])), name + " " + kern.getClass().getSimpleName() + " element " + i);
                    }
                }
                float[] deq = new float[k];
                kern.dequantizeRow(slice, 5, deq, 0);
                ref.dequantizeRow(down, 5, row, 0);
                for (int c = 0; c < k; c++) assertEquals(row[from + c], deq[c], name + " dequantized column " + c);
            }
            WeightMatrix rows = slice.rowSlice(2, 6);
            assertEquals(down.rowStride(), rows.rowStride());
            float[] deq = new float[k];
            ref.dequantizeRow(rows, 1, deq, 0);
            ref.dequantizeRow(down, 3, row, 0);
            for (int c = 0; c < k; c++) assertEquals(row[from + c], deq[c], "row slice of a column slice");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 31})
    void columnSlicesMustFallOnBlockBoundaries(int from) throws IOException {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-q8_0.gguf"))) {
            WeightMatrix wo = m.layer(0).wo();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wo.colSlice(from, 64));
            assertTrue(e.getMessage().contains("block boundaries"), e.getMessage());
            assertTrue(wo.contiguous());
        }
    }
}
