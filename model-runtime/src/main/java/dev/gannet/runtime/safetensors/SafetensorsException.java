package dev.gannet.runtime.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file or checkpoint that cannot be read; the message names the file and, where known, the tensor. */
public final class SafetensorsException extends IOException {
    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
