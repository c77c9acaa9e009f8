package dev.gannet.runtime.model;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where {@link ModelLoader} keeps the packed copy of a model's weights between starts
 * ({@link dev.gannet.runtime.tensor.PackedFile}); {@code file} null means never.
 */
public record PackedCache(Path file) {
    /** No cache: pack at every start, as before. */
    public static PackedCache none() {
        return new PackedCache(null);
    }

    /**
     * Beside the model ({@code model.gguf.gannet-packed}) when its folder is writable; otherwise in
     * {@code fallbackDir}, named after the model's absolute path (a read-only /models volume in a pod).
     */
    public static PackedCache forModel(Path model, Path fallbackDir) {
        Path abs = model.toAbsolutePath().normalize();
        String name = abs.getFileName() + ".gannet-packed";
        if (abs.getParent() != null && Files.isWritable(abs.getParent())) return new PackedCache(abs.resolveSibling(name));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(abs.toString().getBytes(StandardCharsets.UTF_8));
            return new PackedCache(fallbackDir.resolve(HexFormat.of().formatHex(h, 0, 8) + "-" + name));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
