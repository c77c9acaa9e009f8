package dev.gannet.runtime.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Gannet's native CPU kernels ({@code libgannet_cpu.so}, C sources in {@code model-runtime/src/main/c}),
 * bound through FFM. The Maven build compiles the library onto the classpath (skipped with one line where
 * there is no C compiler); the first use in a process copies it to a temporary file, opens it, and deletes
 * the file (the mapping stays). One variant per instruction set ({@link Isa}); the library says which ones
 * the CPU runs, and {@link #bind} returns the handles of one.
 *
 * <p>The library owns no threads, memory or state: Java passes every buffer, and each compute-pool worker
 * calls a matmul on its own rows. The calls are "critical" (no thread-state transition, heap arrays passed
 * in place): each one is short, a claim of rows, so a GC waits at most that long for it.
 */
public final class NativeCpuLibrary {
    static final String RESOURCE = "/dev/gannet/runtime/kernel/native/libgannet_cpu.so";
    /** Must equal gannet_cpu_abi_version() in cpu_features.c. */
    static final int ABI_VERSION = 2;

    private NativeCpuLibrary() {}

    /** The kernel variants, best first; {@code bit} as GANNET_ISA_* in gannet_cpu.h. */
    public enum Isa {
        AVX512("avx512", 4, "AVX-512 VNNI"),
        AVX2("avx2", 2, "AVX2 + FMA"),
        SCALAR("scalar", 1, "portable C");

        final String prefix;
        final int bit;
        final String description;

        Isa(String prefix, int bit, String description) {
            this.prefix = prefix;
            this.bit = bit;
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private record Loaded(SymbolLookup lookup, Set<Isa> isas, String problem) {}

    private static final class Holder { // loaded on first use, once per process
        static final Loaded LOADED = open();
    }

    /** Why the library cannot be used here (not built, not loadable, wrong version), or empty when it can. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(Holder.LOADED.problem());
    }

    /** The variants this CPU runs (empty when the library is unavailable). */
    public static Set<Isa> supported() {
        return Holder.LOADED.isas();
    }

    /** The best variant this CPU runs, if the library is available. */
    public static Optional<Isa> best() {
        for (Isa i : Isa.values()) {
            if (supported().contains(i)) return Optional.of(i);
        }
        return Optional.empty();
    }

    private static Loaded open() {
        Path tmp = null;
        try (InputStream in = NativeCpuLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return unavailable("libgannet_cpu.so is not on the classpath (the build found no C compiler)");
            }
            tmp = Files.createTempFile("gannet-cpu-", ".so");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            SymbolLookup lookup = SymbolLookup.libraryLookup(tmp, Arena.global());
            Linker linker = Linker.nativeLinker();
            MethodHandle version = linker.downcallHandle(lookup.findOrThrow("gannet_cpu_abi_version"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int v = (int) version.invokeExact();
            if (v != ABI_VERSION) return unavailable("libgannet_cpu.so has ABI version " + v + ", this code needs " + ABI_VERSION + " (a stale build?)");
            MethodHandle isas = linker.downcallHandle(lookup.findOrThrow("gannet_cpu_isas"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int bits = (int) isas.invokeExact();
            Set<Isa> set = EnumSet.noneOf(Isa.class);
            for (Isa i : Isa.values()) {
                if ((bits & i.bit) != 0 && lookup.find("gannet_" + i.prefix + "_matmul_q8_0").isPresent()) set.add(i);
            }
            return new Loaded(lookup, Set.copyOf(set), null);
        } catch (IOException | IllegalArgumentException e) { // IllegalArgumentException: dlopen failed
            return unavailable("libgannet_cpu.so could not be loaded: " + e.getMessage());
        } catch (Throwable e) {
            throw new IllegalStateException("libgannet_cpu.so: unexpected failure while loading", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp); // the open mapping keeps the code; nothing to clean up at exit
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    private static Loaded unavailable(String why) {
        return new Loaded(null, Set.of(), why);
    }

    /** The handles of one variant; throws if the library is unavailable or the CPU does not run {@code isa}. */
    static Variant bind(Isa isa) {
        Loaded l = Holder.LOADED;
        if (l.problem() != null) throw new IllegalStateException(l.problem());
        if (!l.isas().contains(isa)) {
            throw new IllegalStateException("this CPU does not run the " + isa.description + " kernels (it runs: " + l.isas() + ")");
        }
        return new Variant(isa, l.lookup());
    }

    /**
     * One variant's functions (signatures in gannet_cpu.h). Sizes are longs. The caller's f32 arrays (x of
     * quantize, out of the matmuls) are heap segments, read and written in place. Weights, scales and the
     * prepared activations are passed as raw addresses (a long, which the x86-64 and AArch64 C ABIs pass in
     * the same register as a pointer): a segment of a shared arena would be acquired and released by every
     * call, an atomic update of one counter that both workers contend for (18% of a tiny model's decode
     * samples in JFR). Their owners keep them alive: the model for weights, {@link NativeMatmul} for x.
     */
    static final class Variant {
        private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
        private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
        private static final ValueLayout A = ValueLayout.ADDRESS;

        final Isa isa;
        final MethodHandle xqRowBytes; // (long k, int mode) long
        final MethodHandle quantize;   // (x heap, long xStride, long m, long k, int mode, long xq) void
        final MethodHandle q8_0;       // (long w, long wStride, long ws, long wsStride, long k, long xq, long m, out heap, long outStride, long r0, long r1) void
        final MethodHandle q4_0;       // same
        final MethodHandle q4_K;       // (long w, long wStride, long k, long xq, long m, out heap, long outStride, long r0, long r1) void
        final MethodHandle q6_K;       // same
        final MethodHandle f32;        // (long w, long wStride, long k, long x, long xStride, long m, out heap, long outStride, long r0, long r1) void
        final MethodHandle f16;        // same
        final MethodHandle bf16;       // same

        private Variant(Isa isa, SymbolLookup lookup) {
            this.isa = isa;
            Linker linker = Linker.nativeLinker();
            Linker.Option critical = Linker.Option.critical(true);
            String p = "gannet_" + isa.prefix + "_";
            xqRowBytes = linker.downcallHandle(lookup.findOrThrow(p + "xq_row_bytes"), FunctionDescriptor.of(J, J, I), critical);
            quantize = linker.downcallHandle(lookup.findOrThrow(p + "quantize"), FunctionDescriptor.ofVoid(A, J, J, J, I, J), critical);
            FunctionDescriptor quant = FunctionDescriptor.ofVoid(J, J, J, J, J, J, J, A, J, J, J);
            q8_0 = linker.downcallHandle(lookup.findOrThrow(p + "matmul_q8_0"), quant, critical);
            q4_0 = linker.downcallHandle(lookup.findOrThrow(p + "matmul_q4_0"), quant, critical);
            FunctionDescriptor kquant = FunctionDescriptor.ofVoid(J, J, J, J, J, A, J, J, J);
            q4_K = linker.downcallHandle(lookup.findOrThrow(p + "matmul_q4_k"), kquant, critical);
            q6_K = linker.downcallHandle(lookup.findOrThrow(p + "matmul_q6_k"), kquant, critical);
            FunctionDescriptor plain = FunctionDescriptor.ofVoid(J, J, J, J, J, J, A, J, J, J);
            f32 = linker.downcallHandle(lookup.findOrThrow(p + "matmul_f32"), plain, critical);
            f16 = linker.downcallHandle(lookup.findOrThrow(p + "matmul_f16"), plain, critical);
            bf16 = linker.downcallHandle(lookup.findOrThrow(p + "matmul_bf16"), plain, critical);
        }

        long xqRowBytes(long k, int mode) {
            try {
                return (long) xqRowBytes.invokeExact(k, mode);
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        @Override
        public String toString() {
            return "native " + isa.name().toLowerCase(Locale.ROOT) + " (" + isa.description + ")";
        }
    }

    /** invokeExact declares Throwable; a native call throws nothing checked, so anything here is a bug. */
    static RuntimeException failed(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native kernel call failed", t);
    }
}
