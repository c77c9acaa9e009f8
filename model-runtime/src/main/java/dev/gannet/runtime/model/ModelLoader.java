package dev.gannet.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.safetensors.SafetensorsCheckpoint;
import dev.gannet.runtime.tensor.Packing;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        if (Files.isDirectory(path)) return loadHuggingFace(path, layout);
        if (!Files.isRegularFile(path)) throw new IOException(path + ": no such file or folder");
        return loadGguf(path, layout);
    }

    private static Model loadGguf(Path path, WeightLayout layout) throws IOException {
        GgufFile g = GgufFile.open(path);
        GgufTensorSource src = new GgufTensorSource(g);
        try {
            ModelConfig c = ConfigParser.fromGguf(g);
            float[] invFreq = c.ropeInvFreq();
            String freqs = c.format().ropeFreqs();
            if (src.has(freqs)) {
                // Llama 3 rope scaling as GGUF stores it: per-pair divisors of the frequency.
                float[] div = src.vector(freqs, invFreq.length);
                for (int i = 0; i < invFreq.length; i++) invFreq[i] /= div[i];
            }
            return build(path, c, src, invFreq, layout);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static Model loadHuggingFace(Path dir, WeightLayout layout) throws IOException {
        Path configFile = dir.resolve("config.json");
        if (!Files.exists(configFile)) throw new IOException(dir + ": not a GGUF file and no config.json in this folder");
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(configFile.toFile());
        } catch (IOException e) {
            throw new IOException(configFile + ": cannot parse (" + e.getMessage() + ")", e);
        }
        if (json == null || !json.isObject()) throw new IOException(configFile + ": not a JSON object");
        SafetensorsTensorSource src = new SafetensorsTensorSource(SafetensorsCheckpoint.open(dir));
        try {
            ModelConfig c = ConfigParser.fromHuggingFace(configFile, json, src.has(WeightNames.HUGGING_FACE.bq(0)));
            return build(dir, c, src, c.ropeInvFreq(), layout);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static Model build(Path path, ModelConfig c, TensorSource src, float[] invFreq, WeightLayout layout) throws IOException {
        WeightNames n = c.format();
        WeightMatrix embedding = src.matrix(n.tokenEmbedding(), c.vocabSize(), c.dim());
        WeightMatrix output = c.tiedEmbeddings() ? embedding : src.matrix(n.output(), c.vocabSize(), c.dim());
        float[] outputNorm = src.vector(n.outputNorm(), c.dim());
        List<LayerWeights> layers = new ArrayList<>(c.numLayers());
        for (int l = 0; l < c.numLayers(); l++) layers.add(LayerWeights.load(src, c, l));
        Arena packed = null;
        if (layout == WeightLayout.PACKED) {
            // The embedding stays mapped: a lookup reads one row per token, layout does not matter there.
            packed = Arena.ofShared();
            try {
                for (int l = 0; l < layers.size(); l++) layers.set(l, layers.get(l).packed(packed));
                output = Packing.pack(output, packed);
            } catch (RuntimeException | OutOfMemoryError e) {
                packed.close();
                throw e;
            }
        }
        return new Model(path, c, embedding, outputNorm, output, layers, invFreq, src, packed);
    }
}
