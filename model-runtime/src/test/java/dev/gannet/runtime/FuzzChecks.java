package dev.gannet.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The property every loader fuzz target checks. A model file comes from users and the internet, so
 * whatever its bytes, loading it either succeeds or throws one {@link IOException} whose message
 * names the file; any other throwable (NullPointerException, IndexOutOfBoundsException, a
 * StackOverflowError, an OutOfMemoryError...) escapes to the fuzzer as a finding. A loader must also
 * check a declared size against the file before allocating it: the heap this thread allocates is
 * bounded by the file's size ({@link #PER_BYTE} bytes a byte, plus {@link #SLACK}), so a header
 * that claims 2^31 elements fails the check even where the allocation itself would succeed.
 */
public final class FuzzChecks {
    /** Heap a loader may allocate per byte of input: parsed JSON trees and token tables run to ~20x. */
    public static final long PER_BYTE = 64;
    /** Heap a loader may allocate whatever the input: class loading on first use, small tables. */
    public static final long SLACK = 64L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final java.util.Set<Path> WARMED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FuzzChecks() {}

    /** A load that may throw IOException. */
    @FunctionalInterface
    public interface Load {
        void run() throws IOException;
    }

    /**
     * A fresh scratch folder for one target's inputs, on tmpfs where there is one: the targets write
     * every input to a file, since the loaders read files (and GGUF/safetensors map them).
     */
    public static Path scratch(String name) {
        try {
            Path shm = Path.of("/dev/shm");
            Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            Path dir = Files.createTempDirectory(base, "gannet-fuzz-" + name + "-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} to {@code file}, replacing what was there. */
    public static Path write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code load} on an input of {@code inputBytes} bytes stored at {@code named} (a file or
     * folder): passes when it returns, or throws an IOException naming {@code named}; throws
     * AssertionError when the message does not name it or the heap allocated is out of bounds.
     */
    public static void check(Path named, long inputBytes, Load load) {
        if (WARMED.add(named)) {
            // Class loading (and, when fuzzing, Jazzer's instrumentation of every class loaded) allocates on
            // this thread too: run the first input once unmeasured, so that the bound measures the loader.
            try {
                load.run();
            } catch (IOException ignored) {
                // judged by the measured run below
            }
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            load.run();
        } catch (IOException e) {
            String m = e.getMessage();
            if (m == null || !m.contains(named.toString())) {
                throw new AssertionError("an IOException that does not name " + named + ": " + m, e);
            }
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long bound = SLACK + PER_BYTE * inputBytes;
        if (allocated > bound) {
            throw new AssertionError("loading a " + inputBytes + "-byte input allocated " + allocated
                    + " bytes of heap (bound " + bound + "): a declared size was trusted before it was checked");
        }
    }

    /** The first {@code max} bytes of a shared file: a real header without megabytes of weights. */
    public static byte[] sharedPrefix(String name, int max) {
        byte[] all = sharedFiles(name).findFirst().orElseThrow();
        return java.util.Arrays.copyOf(all, Math.min(max, all.length));
    }

    /** The named shared files' bytes (fuzzing seeds from real models); a missing file fails. */
    public static Stream<byte[]> sharedFiles(String... names) {
        List<byte[]> out = new ArrayList<>();
        for (String n : names) {
            try {
                out.add(Files.readAllBytes(TestModels.path(n)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.stream();
    }
}
