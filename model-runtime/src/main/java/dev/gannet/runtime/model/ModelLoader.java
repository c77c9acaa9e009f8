package dev.gannet.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.safetensors.SafetensorsCheckpoint;
import dev.gannet.runtime.tensor.PackedFile;
import dev.gannet.runtime.tensor.Packing;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads a {@link Model} from a {@code .gguf} file or a Hugging Face folder ({@code config.json} plus
 * safetensors). Every tensor is checked against the shape the config implies; weights are not copied
 * or permuted (see {@link Architecture} for how RoPE absorbs the Q/K layout difference).
 */
public final class ModelLoader {
    private ModelLoader() {}

    /** Loads with the default {@link WeightLayout#PACKED} layout. */
    public static Model load(Path path) throws IOException {
        return load(path, WeightLayout.PACKED);
    }

    public static Model load(Path path, WeightLayout layout) throws IOException {
        return load(path, layout, PackedCache.none());
    }

    /**
     * With {@link WeightLayout#PACKED}, a valid packed copy in {@code cache} is mapped instead of packing
     * (nothing copied; the load takes what mapping takes); without one, the weights are packed and the copy
     * is written to {@code cache} in the background for the next start.
     */
    public static Model load(Path path, WeightLayout layout, PackedCache cache) throws IOException {
        if (Files.isDirectory(path)) return loadHuggingFace(path, layout);
        if (!Files.isRegularFile(path)) throw new IOException(path + ": no such file or folder");
        return loadGguf(path, layout, cache);
    }

    private static Model loadGguf(Path path, WeightLayout layout, PackedCache cache) throws IOException {
        GgufFile g = GgufFile.open(path);
        GgufTensorSource src = new GgufTensorSource(g);
        try {
            return build(path, ConfigParser.fromGguf(g), src, layout, cache);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static Model loadHuggingFace(Path dir, WeightLayout layout) throws IOException {
        Path configFile = dir.resolve("config.json");
        if (!Files.exists(configFile)) throw new IOException(dir + ": not a GGUF file and no config.json in this folder");
        JsonNode json = ConfigParser.readJson(configFile);
        SafetensorsTensorSource src = new SafetensorsTensorSource(SafetensorsCheckpoint.open(dir));
        try {
            ModelConfig c = ConfigParser.fromHuggingFace(configFile, json, src.has(WeightNames.HUGGING_FACE.bq(0)));
            return build(dir, c, src, layout, PackedCache.none());
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static Model build(Path path, ModelConfig c, TensorSource src, WeightLayout layout, PackedCache cache)
            throws IOException {
        WeightNames n = c.format();
        WeightMatrix embedding = src.matrix(n.tokenEmbedding(), c.vocabSize(), c.dim());
        WeightMatrix output = c.tiedEmbeddings() ? embedding : src.matrix(n.output(), c.vocabSize(), c.dim());
        float[] outputNorm = src.vector(n.outputNorm(), c.dim());
        List<LayerWeights> layers = new ArrayList<>(); // not sized from the header: its layer count may be a lie
        for (int l = 0; l < c.numLayers(); l++) layers.add(LayerWeights.load(src, c, l));
        // Only now, with every shape checked against tensors that lie in the file, are the config's
        // sizes known not to be a header's lie: the frequency table is rotaryDim / 2 floats.
        float[] invFreq = c.ropeInvFreq();
        String freqs = n.ropeFreqs();
        if (freqs != null && src.has(freqs)) {
            // Llama 3 rope scaling as GGUF stores it: per-pair divisors of the frequency.
            float[] div = src.vector(freqs, invFreq.length);
            for (int i = 0; i < invFreq.length; i++) invFreq[i] /= div[i];
        }
        if (layout != WeightLayout.PACKED) return new Model(path, c, embedding, outputNorm, output, layers, invFreq, src, null, null, false);
        // The embedding stays mapped: a lookup reads one row per token, layout does not matter there.
        PackedFile.Stamp stamp = cache.file() != null ? PackedFile.Stamp.of(path) : null;
        Mapped cached = stamp == null ? null : mapCache(cache.file(), stamp, layers, output);
        if (cached != null) {
            Map<String, WeightMatrix> byName = cached.matrices();
            layers.replaceAll(lw -> lw.withMatrices(w -> byName.getOrDefault(w.name(), w)));
            output = byName.getOrDefault(output.name(), output);
            return new Model(path, c, embedding, outputNorm, output, layers, invFreq, src, cached.arena(), null, true);
        }
        long need = Packing.packedBytes(output);
        for (LayerWeights w : layers) {
            for (WeightMatrix m : w.matrices()) need += Packing.packedBytes(m);
        }
        checkPackedFits(path, need, availableMemory());
        Arena packed = Arena.ofShared();
        try {
            layers.replaceAll(lw -> lw.packed(packed));
            output = Packing.pack(output, packed);
        } catch (RuntimeException | OutOfMemoryError e) {
            packed.close();
            throw e;
        }
        PackedCacheWriter writer = null;
        if (stamp != null) {
            List<WeightMatrix> all = new ArrayList<>();
            for (LayerWeights lw : layers) lw.matrices().stream().filter(WeightMatrix::packed).forEach(all::add);
            if (output.packed()) all.add(output);
            if (!all.isEmpty()) writer = PackedCacheWriter.start(cache.file(), stamp, all);  // F32/F16 files: nothing to keep
        }
        return new Model(path, c, embedding, outputNorm, output, layers, invFreq, src, packed, writer, false);
    }

    /** A mapped packed cache: the arena owning the mapping, and the matrices by tensor name. */
    private record Mapped(Arena arena, Map<String, WeightMatrix> matrices) {}

    /** Maps the cache when it holds every packable matrix of this model with its type and shape; else null. */
    private static Mapped mapCache(Path file, PackedFile.Stamp stamp, List<LayerWeights> layers,
                                               WeightMatrix output) {
        Arena arena = Arena.ofShared();
        try {
            Map<String, WeightMatrix> m = PackedFile.map(file, stamp, arena);
            List<WeightMatrix> needed = new ArrayList<>(List.of(output));
            for (LayerWeights lw : layers) needed.addAll(lw.matrices());
            boolean complete = m != null;
            for (WeightMatrix w : needed) {
                if (!complete || !Packing.packable(w.type()) || w.packed()) continue;
                WeightMatrix p = m.get(w.name());
                complete = p != null && p.type() == w.type() && p.rows() == w.rows() && p.cols() == w.cols();
            }
            if (complete) return new Mapped(arena, m);
        } catch (IOException | RuntimeException e) {
            // unreadable or damaged: pack again (and write a fresh copy)
        }
        arena.close();
        return null;
    }

    /**
     * Refuses to pack when the copies would not fit in memory: on Linux an allocation that large
     * succeeds and the process is killed later, while touching the pages.
     */
    static void checkPackedFits(Path path, long need, long available) throws IOException {
        if (need > available) {
            throw new IOException(String.format("%s: weight_layout packed needs %d MiB for the packed Q8_0/Q4_0 copies but only"
                    + " %d MiB of memory is available; use weight_layout: mapped (no copies)", path, need >> 20, available >> 20));
        }
    }

    /** MemAvailable from /proc/meminfo (free plus reclaimable cache), or Long.MAX_VALUE where there is none. */
    static long availableMemory() {
        Path meminfo = Path.of("/proc/meminfo");
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: no check
        }
        return Long.MAX_VALUE;
    }
}
