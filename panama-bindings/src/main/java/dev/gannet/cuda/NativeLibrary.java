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
    private volatile SymbolLookup lookup;
    private volatile String openedFrom;

    NativeLibrary(String displayName, List<String> fileNames) {
        if (fileNames.isEmpty()) throw new IllegalArgumentException(displayName + ": no file names");
        this.displayName = displayName;
        this.fileNames = List.copyOf(fileNames);
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
        try {
            lookup = opener.open();
            openedFrom = from;
            return true;
        } catch (IllegalArgumentException notFound) {
            return false;
        }
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
