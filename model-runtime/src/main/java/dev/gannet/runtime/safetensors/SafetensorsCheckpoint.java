package dev.gannet.runtime.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Hugging Face folder: either one {@code model.safetensors}, or shards
 * {@code model-0000x-of-0000y.safetensors} listed by {@code model.safetensors.index.json}
 * ({@code weight_map: tensor name -> shard file}). Every shard stays mapped until {@link #close()}.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsTensor> tensors;

    private SafetensorsCheckpoint(Path dir, List<SafetensorsFile> files, Map<String, SafetensorsTensor> tensors) {
        this.dir = dir;
        this.files = files;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens the checkpoint in folder {@code dir}: the index when present, otherwise {@code model.safetensors}. */
    public static SafetensorsCheckpoint open(Path dir) throws IOException {
        Path index = dir.resolve(INDEX);
        if (Files.exists(index)) return openSharded(dir, index);
        Path single = dir.resolve(SINGLE);
        if (!Files.exists(single)) {
            throw new SafetensorsException(dir, "no " + SINGLE + " and no " + INDEX + " in this folder");
        }
        SafetensorsFile f = SafetensorsFile.open(single);
        return new SafetensorsCheckpoint(dir, List.of(f), new LinkedHashMap<>(f.tensors()));
    }

    private static SafetensorsCheckpoint openSharded(Path dir, Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new SafetensorsException(index, "cannot parse the index (" + e.getMessage() + ")");
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new SafetensorsException(index, "missing weight_map");
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String shardName = e.getValue().asText();
                Path shardPath;
                try {
                    shardPath = dir.resolve(shardName).normalize();
                } catch (InvalidPathException bad) { // a NUL byte, for one
                    throw new SafetensorsException(index, "tensor " + e.getKey() + ": shard name " + shardName + " is not a path");
                }
                if (!shardPath.startsWith(dir.normalize()) || shardName.isEmpty()) {
                    throw new SafetensorsException(index, "tensor " + e.getKey() + ": shard name " + shardName + " leaves the folder");
                }
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    if (!Files.isRegularFile(shardPath)) { // "." is the folder itself, which cannot be mapped
                        throw new SafetensorsException(index, "tensor " + e.getKey() + ": shard " + shardName + " is not a file in the folder");
                    }
                    shard = SafetensorsFile.open(shardPath);
                    shards.put(shardName, shard);
                }
                if (!shard.tensors().containsKey(e.getKey())) {
                    throw new SafetensorsException(shardPath, "missing tensor " + e.getKey() + " (listed in " + INDEX + ")");
                }
                tensors.put(e.getKey(), shard.tensors().get(e.getKey()));
            }
        } catch (IOException | RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsCheckpoint(dir, new ArrayList<>(shards.values()), tensors);
    }

    public Path dir() { return dir; }

    /** All tensors of all shards, by name. */
    public Map<String, SafetensorsTensor> tensors() { return tensors; }

    /** The tensor, or a clear error naming the folder and the missing tensor. */
    public SafetensorsTensor tensor(String name) throws SafetensorsException {
        SafetensorsTensor t = tensors.get(name);
        if (t == null) throw new SafetensorsException(dir, "missing tensor " + name);
        return t;
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) f.close();
    }
}
