package dev.gannet.runtime.kernel.bench;

import dev.gannet.runtime.kernel.VectorKernels;
import dev.gannet.runtime.model.LayerWeights;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.WeightLayout;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every matmul of one forward step of a real model file (all layers' Q, K, V, O, gate, up, down and
 * the LM head) at M tokens, in the chosen weight layout, 2 threads: the part of a decode or
 * prefill step the kernels own, streamed from DRAM as in serving (a 1.1B model is larger than
 * the L3). Score: steps per second; {@code step:weightGB} turns it into GB/s of weights read.
 * The model comes from {@code scripts/bench-single.sh} (written by {@code gannet model synth}):
 * <pre>bin/bench-kernels ModelMatmulBench -p model=.gannet/bench/tinyllama-1.1b-q8_0.gguf -p m=1</pre>
 * The embedding is touched once per step too, as in serving, so the JIT sees a file-backed and an
 * allocated segment in the same process (that mix once cost 40%, see MappedFiles).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ModelMatmulBench {
    @Param({".gannet/bench/tinyllama-1.1b-q8_0.gguf"})
    public String model;

    @Param({"packed", "mapped"})
    public String layout;

    @Param({"1", "8", "128"})
    public int m;

    @Param({"2"})
    public int threads;

    /** vector (Java Vector API) or native (the C kernel library, best variant for this CPU). */
    @Param({"vector", "native"})
    public String kernels;

    private Model loaded;
    private VectorKernels impl;
    private List<WeightMatrix> weights;
    private long weightBytes;
    private float[] x;
    private float[] out;
    private float[] row;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Step {
        public double weightGB;
        public double tokens;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        loaded = ModelLoader.load(Path.of(model), WeightLayout.parse(layout));
        impl = kernels.equals("native") ? VectorKernels.withNativeMatmuls(threads) : new VectorKernels(threads);
        if (!impl.describe().startsWith(kernels)) throw new IllegalStateException("asked for " + kernels + ", got " + impl.describe());
        weights = new ArrayList<>();
        for (int l = 0; l < loaded.config().numLayers(); l++) {
            LayerWeights w = loaded.layer(l);
            weights.addAll(List.of(w.wq(), w.wk(), w.wv(), w.wo(), w.gate(), w.up(), w.down()));
        }
        weights.add(loaded.output());
        int widest = 0;
        int tallest = 0;
        for (WeightMatrix w : weights) {
            weightBytes += w.data().byteSize() + (w.packed() ? w.scales().byteSize() : 0);
            widest = Math.max(widest, w.cols());
            tallest = Math.max(tallest, w.rows());
        }
        Random rnd = new Random(1);
        x = new float[m * widest];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        out = new float[m * tallest];
        row = new float[loaded.config().dim()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
        loaded.close();
    }

    @Benchmark
    public float step(Step s) {
        impl.dequantizeRow(loaded.tokenEmbedding(), 1, row, 0);
        for (WeightMatrix w : weights) impl.matmul(w, x, out, m);
        s.weightGB += weightBytes * 1e-9;
        s.tokens += m;
        return out[0] + row[0];
    }
}
