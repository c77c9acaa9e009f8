package dev.gannet.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Objects;

/**
 * One bound C function: its symbol name(s), its {@link FunctionDescriptor} (pure data, checkable
 * without the library) and a method handle created on first call, so that loading a binding class
 * never touches the native library.
 */
final class Downcall {
    private final NativeLibrary library;
    private final List<String> symbols; // preferred first; later ones are fallbacks for older libraries
    private final FunctionDescriptor descriptor;
    private volatile MethodHandle handle;

    private Downcall(NativeLibrary library, List<String> symbols, FunctionDescriptor descriptor) {
        this.library = library;
        this.symbols = symbols;
        this.descriptor = descriptor;
    }

    static Downcall of(NativeLibrary lib, String symbol, MemoryLayout result, MemoryLayout... args) {
        return new Downcall(lib, List.of(symbol), FunctionDescriptor.of(result, args));
    }

    static Downcall ofVoid(NativeLibrary lib, String symbol, MemoryLayout... args) {
        return new Downcall(lib, List.of(symbol), FunctionDescriptor.ofVoid(args));
    }

    /** Prefers {@code symbol}, falls back to {@code older} when the installed library predates it. */
    static Downcall withFallback(NativeLibrary lib, String symbol, String older, MemoryLayout result, MemoryLayout... args) {
        return new Downcall(lib, List.of(symbol, older), FunctionDescriptor.of(result, args));
    }

    String symbol() {
        return symbols.getFirst();
    }

    FunctionDescriptor descriptor() {
        return descriptor;
    }

    MethodHandle handle() {
        MethodHandle h = handle;
        if (h == null) {
            synchronized (this) {
                h = handle;
                if (h == null) {
                    var addr = library.find(symbols.toArray(String[]::new));
                    h = Linker.nativeLinker().downcallHandle(addr, descriptor);
                    handle = h;
                }
            }
        }
        return h;
    }

    /** invokeExact declares Throwable; a native call throws nothing checked, so anything here is a bug. */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("unexpected exception from a native call", Objects.requireNonNull(t));
    }
}
