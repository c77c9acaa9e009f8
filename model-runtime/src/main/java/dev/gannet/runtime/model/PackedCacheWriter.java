package dev.gannet.runtime.model;

import dev.gannet.runtime.tensor.PackedFile;
import dev.gannet.runtime.tensor.WeightMatrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a freshly packed model's matrices to its {@link PackedCache} file on a background thread, so the
 * start that packed does not wait for the disk and the next start maps the file instead. Closing it (the
 * model closes it before freeing the packed memory) stops the write and waits for the thread.
 */
final class PackedCacheWriter implements AutoCloseable {
    private final Thread thread;
    private volatile boolean cancelled;
    private volatile String outcome = "writing";

    private PackedCacheWriter(Path file, PackedFile.Stamp stamp, List<WeightMatrix> matrices) {
        thread = Thread.ofPlatform().daemon().name("gannet-packed-cache").start(() -> {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                PackedFile.write(file, stamp, matrices, () -> cancelled);
                outcome = "written to " + file;
            } catch (IOException | RuntimeException e) {
                outcome = "not written (" + e.getMessage() + ")";
            }
        });
    }

    static PackedCacheWriter start(Path file, PackedFile.Stamp stamp, List<WeightMatrix> matrices) {
        return new PackedCacheWriter(file, stamp, matrices);
    }

    /** "writing", "written to FILE" or "not written (why)". */
    String outcome() {
        return outcome;
    }

    /** Waits for the write to end (tests; the server never waits). */
    void await() throws InterruptedException {
        thread.join();
    }

    @Override
    public void close() {
        cancelled = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
