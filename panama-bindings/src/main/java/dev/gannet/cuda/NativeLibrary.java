package dev.gannet.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One native library, opened once per process by the first successful {@link #load}. The search
 * order is: each file name through the system loader (ld.so cache, LD_LIBRARY_PATH, RUNPATH), then
 * each file name in each of {@link CudaLibraryPaths#searchDirs()}. Opened libraries stay open for
 * the life of the JVM (global arena): CUDA handles outlive any narrower scope.
 */
final class NativeLibrary {
    private final String displayName;
    private final List<String> fileNames; // tried in order, e.g. libcublas.so.13, libcublas.so.12
    private final String loaderProbe;     // a symbol of the library, when jextract-generated code must see it; else null
    private volatile SymbolLookup lookup;
    private volatile String openedFrom;

    NativeLibrary(String displayName, List<String> fileNames) {
        this(displayName, fileNames, null);
    }

    /**
     * A library whose symbols jextract-generated bindings look up through {@link SymbolLookup#loaderLookup()}: once
     * opened, it is also loaded with {@link System#load} (the same file, found by the address of {@code loaderProbe}),
     * which is what makes the loader lookup see it. The generated code resolves each symbol on its first call.
     */
    NativeLibrary(String displayName, List<String> fileNames, String loaderProbe) {
        if (fileNames.isEmpty()) throw new IllegalArgumentException(displayName + ": no file names");
        this.displayName = displayName;
        this.fileNames = List.copyOf(fileNames);
        this.loaderProbe = loaderProbe;
    }

    /** Opens the library if not yet open; returns where it came from. */
    synchronized String load(CudaLibraryPaths paths) {
        if (lookup != null) return openedFrom;
        List<String> tried = new ArrayList<>();
        for (String name : fileNames) {
            if (tryOpen(name, () -> SymbolLookup.libraryLookup(name, Arena.global()))) return openedFrom;
            tried.add(name + " (system loader)");
        }
        for (Path dir : paths.searchDirs()) {
            for (String name : fileNames) {
                Path p = dir.resolve(name);
                if (!Files.isRegularFile(p)) {
                    tried.add(p + " (absent)");
                } else if (tryOpen(p.toString(), () -> SymbolLookup.libraryLookup(p, Arena.global()))) {
                    return openedFrom;
                } else {
                    tried.add(p + " (present but dlopen failed: a dependency missing?)");
                }
            }
        }
        throw new CudaUnavailableException(fileNames.getFirst() + " not found (" + displayName + "); looked in: "
                + String.join(", ", tried) + ". Set CUDA_HOME or GANNET_CUDA_LIBS to the folder that holds it.");
    }

    private interface Opener { SymbolLookup open(); }

    private boolean tryOpen(String from, Opener opener) {
        SymbolLookup l;
        try {
            l = opener.open();
        } catch (IllegalArgumentException notFound) {
            return false;
        }
        if (loaderProbe != null) System.load(fileOf(l.find(loaderProbe).orElseThrow(() -> new CudaUnavailableException(
                displayName + " loaded from " + from + " lacks " + loaderProbe)).address(), from));
        lookup = l;
        openedFrom = from;
        return true;
    }

    /** The file mapped at {@code address} (from /proc/self/maps), or {@code from} when it is already a path. */
    static String fileOf(long address, String from) {
        if (from.startsWith("/")) return from;
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] f = line.trim().split("\\s+", 6);
                if (f.length < 6 || !f[5].startsWith("/")) continue;
                String[] range = f[0].split("-");
                long lo = Long.parseUnsignedLong(range[0], 16), hi = Long.parseUnsignedLong(range[1], 16);
                if (Long.compareUnsigned(address, lo) >= 0 && Long.compareUnsigned(address, hi) < 0) return f[5];
            }
        } catch (java.io.IOException e) {
            throw new CudaUnavailableException("cannot read /proc/self/maps to find where " + from + " was loaded from: " + e.getMessage());
        }
        throw new CudaUnavailableException("no mapped file holds the address of a symbol of " + from);
    }

    boolean isLoaded() {
        return lookup != null;
    }

    String displayName() {
        return displayName;
    }

    /** The first of {@code names} the library exports (newer versioned names first). */
    MemorySegment find(String... names) {
        SymbolLookup l = lookup;
        if (l == null) {
            throw new IllegalStateException(displayName + " is not loaded: call load(CudaLibraryPaths) first");
        }
        for (String n : names) {
            var s = l.find(n);
            if (s.isPresent()) return s.get();
        }
        throw new CudaUnavailableException(displayName + " loaded from " + openedFrom + " lacks symbol "
                + String.join(" / ", names) + ": library too old?");
    }
}
