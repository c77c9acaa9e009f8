package dev.gannet.runtime.cuda;

import static dev.gannet.runtime.cuda.GpuTestSupport.assertClose;
import static dev.gannet.runtime.cuda.GpuTestSupport.random;
import static dev.gannet.runtime.cuda.GpuTestSupport.roundTo;

import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The cuBLAS projection against {@link ReferenceKernels#matmul} on the same (dtype-rounded) weights. */
@Tag("gpu")
class CublasLinearGpuTest {

    @ParameterizedTest
    @EnumSource(DeviceDtype.class)
    void linearMatchesTheReferenceMatmul(DeviceDtype t) {
        int rows = 300, cols = 512, tokens = 5;
        Random rnd = new Random(9);
        float[] w = roundTo(random(rnd, rows * cols, 0.05f), t), x = roundTo(random(rnd, tokens * cols, 1f), t);
        float[] want = new float[tokens * rows];
        new ReferenceKernels().matmul(new WeightMatrix("w", GgmlType.F32, rows, cols, MemorySegment.ofArray(w)), x, want, tokens);
        try (var g = GpuTestSupport.openOrSkip(); var blas = CublasLinear.create(g.cuda, g.paths)) {
            long y = g.alloc((long) tokens * rows * t.bytes());
            blas.linear(t, y, g.upload(w, t), g.upload(x, t), tokens, rows, cols);
            // f32 inputs may run as TF32 only if asked; CUBLAS_COMPUTE_32F keeps full f32
            float tol = t == DeviceDtype.F32 ? 1e-4f : GpuTestSupport.atol(t) * 2;
            assertClose(want, g.download(y, tokens * rows, t), tol, GpuTestSupport.rtol(t) * 2, "cuBLAS linear " + t);
        }
    }
}
