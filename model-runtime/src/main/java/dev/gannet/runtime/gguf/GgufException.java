package dev.gannet.runtime.gguf;

import java.io.IOException;
import java.nio.file.Path;

/** A GGUF file that cannot be read; the message names the file and, where known, the tensor or key. */
public final class GgufException extends IOException {
    public GgufException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
