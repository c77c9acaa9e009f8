package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.model.ForwardPass;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.parallel.ShardingPlan;
import dev.gannet.cuda.CudaLibraryPaths;
import org.junit.jupiter.api.Test;

/** CPU-only: what the CUDA backend decides before touching a GPU (dtypes, KV format, sizes for the memory plan). */
class CudaBackendChoicesTest {
    @Test
    void activationsFollowTheCheckpointAsVllmDoes() throws Exception {
        CudaTuning auto = CudaTuning.defaults();
        for (String f : new String[] {"tiny-llama-f32.gguf", "tiny-llama-f16.gguf", "tiny-llama-q8_0.gguf", "stories260K.gguf"}) {
            try (Model m = ModelLoader.load(TestModels.path(f))) {
                assertEquals(DeviceDtype.F16, CudaBackend.computeDtype(m, auto), f);
                assertEquals(DeviceDtype.F32, CudaBackend.computeDtype(m, auto.withComputeDtype(DeviceDtype.F32)), f);
            }
        }
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-bf16.gguf"))) {
            assertEquals(DeviceDtype.BF16, CudaBackend.computeDtype(m, auto));
        }
    }

    @Test
    void kvCacheDtypeMapsToADeviceFormat() {
        assertEquals(KvFormat.NATIVE, CudaBackend.kvFormat(KvStorage.Precision.AUTO, DeviceDtype.BF16, 64));
        assertEquals(KvFormat.NATIVE, CudaBackend.kvFormat(KvStorage.Precision.F16, DeviceDtype.F16, 64));
        assertEquals(KvFormat.Q8_0, CudaBackend.kvFormat(KvStorage.Precision.Q8_0, DeviceDtype.F16, 64));
        assertEquals(KvFormat.FP8, CudaBackend.kvFormat(KvStorage.Precision.FP8, DeviceDtype.BF16, 48));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaBackend.kvFormat(KvStorage.Precision.F16, DeviceDtype.BF16, 64));
        assertTrue(e.getMessage().contains("use auto, bf16, q8_0 or fp8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaBackend.kvFormat(KvStorage.Precision.Q8_0, DeviceDtype.F16, 48));
    }

    @Test
    void kvBytesPerBlockFollowTheFormat() throws Exception {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-f16.gguf"))) { // 4 layers, 2 KV heads of 32
            ModelConfig c = m.config();
            assertEquals(2L * 4 * 16 * 2 * 32 * 2, CudaBackend.blockBytes(c, 2, 16, KvFormat.NATIVE, DeviceDtype.F16));
            assertEquals(2L * 4 * 16 * 2 * (32 + 4), CudaBackend.blockBytes(c, 2, 16, KvFormat.Q8_0, DeviceDtype.F16));
            assertEquals(2L * 4 * 16 * 2 * (32 + 4), CudaBackend.blockBytes(c, 2, 16, KvFormat.FP8, DeviceDtype.F16));
            assertEquals(KvStorage.bytesFor(c, 1, 16, KvStorage.Precision.FP8), CudaBackend.blockBytes(c, 2, 16, KvFormat.FP8, DeviceDtype.BF16));
            assertEquals(KvStorage.bytesFor(c, 1, 16, KvStorage.Precision.F16), CudaBackend.blockBytes(c, 2, 16, KvFormat.NATIVE, DeviceDtype.F16));
        }
    }

    @Test
    void plannedWeightBytesCountEveryMatrixInItsDeviceFormat() throws Exception {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-q8_0.gguf"))) {
            ModelConfig c = m.config(); // dim 256, 4 layers, q 256, kv 64, ffn 768, vocab 512
            long vec = DeviceArena.align(256 * 2);
            long layer = 2 * vec + DeviceArena.align(256L * 256 / 32 * 34) * 2 + DeviceArena.align(64L * 256 / 32 * 34) * 2
                    + DeviceArena.align(2L * 768 * 256 / 32 * 34) + DeviceArena.align(256L * 768 / 32 * 34);
            long emb = DeviceArena.align((long) c.vocabSize() * 256 * 2);
            long head = DeviceArena.align((long) c.vocabSize() * 256 / 32 * 34);
            assertEquals(emb + vec + head + 4 * layer, DeviceWeights.plannedBytes(m, ForwardPass.Slice.whole(m), DeviceDtype.F16));
        }
    }

    @Test
    void stepBuffersArePlannedAsAllocated() throws Exception {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-f16.gguf"))) {
            CudaOptions o = new CudaOptions(0, 1, false, 0.9, KvStorage.Precision.AUTO, 16, 512, 64, CudaTuning.defaults(), CudaLibraryPaths.none());
            StepBuffers.Sizes s = CudaBackend.sizes(m, ForwardPass.Slice.whole(m), DeviceDtype.F16, o, 132);
            assertEquals(0, s.dequantScratchBytes(), "no quantized weight");
            long[] sum = {0};
            int[] count = {0};
            StepBuffers b = StepBuffers.allocate(s, 16, bytes -> {
                sum[0] += DeviceArena.align(bytes);
                return ++count[0] * 1_000_000L;
            });
            assertEquals(sum[0], StepBuffers.plan(s, 16));
            assertEquals(3L * 512 + 2 * 64 + 1 + 64 + 64L * (512 / 16), b.inputInts());
            assertEquals(0, b.dequantScratch());
        }
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-q4_0.gguf"))) {
            CudaOptions o = new CudaOptions(0, 1, false, 0.9, KvStorage.Precision.AUTO, 16, 512, 64, CudaTuning.defaults(), CudaLibraryPaths.none());
            // the largest quantized matrix: [gate | up], 2 x 768 x 256 values in f16
            assertEquals(2L * 768 * 256 * 2, CudaBackend.sizes(m, ForwardPass.Slice.whole(m), DeviceDtype.F16, o, 132).dequantScratchBytes());
        }
    }

    @Test
    void aRanksSliceIsPlannedFromItsShards() throws Exception {
        try (Model m = ModelLoader.load(TestModels.path("tiny-llama-f16.gguf"))) {
            ShardingPlan plan = ShardingPlan.forModel(m, 2);
            var layers = new java.util.ArrayList<dev.gannet.runtime.model.LayerWeights>();
            for (int l = 0; l < m.config().numLayers(); l++) layers.add(plan.shard(m.layer(l), 1));
            ForwardPass.Slice s = new ForwardPass.Slice(layers, plan.lmHead(m.output(), 1), 4, 1, 384);
            long whole = DeviceWeights.plannedBytes(m, ForwardPass.Slice.whole(m), DeviceDtype.F16);
            long half = DeviceWeights.plannedBytes(m, s, DeviceDtype.F16);
            assertTrue(half < whole && half > whole / 3, half + " of " + whole); // the embedding is replicated
        }
    }
}
