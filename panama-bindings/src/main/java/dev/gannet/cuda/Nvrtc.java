package dev.gannet.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * NVRTC (nvrtc.h, libnvrtc.so.12/13), bound by hand in jextract's layout: compiles CUDA C source to
 * a CUBIN for the GPU at hand. Gannet uses it only as a fallback, when the driver cannot load the
 * fatbin that the build's (newer) nvcc produced. Raw status returns; {@link #check} throws.
 */
public final class Nvrtc {
    private Nvrtc() { }

    static final NativeLibrary LIB = new NativeLibrary("NVRTC", List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"));

    public static String load(CudaLibraryPaths paths) {
        return LIB.load(paths);
    }

    public static final int NVRTC_SUCCESS = 0;
    public static final int NVRTC_ERROR_COMPILATION = 6;

    /** Throws {@link NvrtcException} unless {@code status} is NVRTC_SUCCESS. */
    public static void check(int status, String call) {
        if (status != NVRTC_SUCCESS) throw new NvrtcException(call, status, null);
    }

    public static String codeName(int code) {
        return switch (code) {
            case 0 -> "NVRTC_SUCCESS";
            case 1 -> "NVRTC_ERROR_OUT_OF_MEMORY";
            case 2 -> "NVRTC_ERROR_PROGRAM_CREATION_FAILURE";
            case 3 -> "NVRTC_ERROR_INVALID_INPUT";
            case 4 -> "NVRTC_ERROR_INVALID_PROGRAM";
            case 5 -> "NVRTC_ERROR_INVALID_OPTION";
            case 6 -> "NVRTC_ERROR_COMPILATION";
            case 7 -> "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE";
            case 11 -> "NVRTC_ERROR_INTERNAL_ERROR";
            default -> "NVRTC_ERROR_" + code;
        };
    }

    private static Downcall fn(String symbol, MemoryLayout... args) {
        return Downcall.of(LIB, symbol, JAVA_INT, args);
    }

    private static final Downcall nvrtcCreateProgram = fn("nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall nvrtcCompileProgram = fn("nvrtcCompileProgram", ADDRESS, JAVA_INT, ADDRESS);
    private static final Downcall nvrtcGetCUBINSize = fn("nvrtcGetCUBINSize", ADDRESS, ADDRESS);
    private static final Downcall nvrtcGetCUBIN = fn("nvrtcGetCUBIN", ADDRESS, ADDRESS);
    private static final Downcall nvrtcGetProgramLogSize = fn("nvrtcGetProgramLogSize", ADDRESS, ADDRESS);
    private static final Downcall nvrtcGetProgramLog = fn("nvrtcGetProgramLog", ADDRESS, ADDRESS);
    private static final Downcall nvrtcDestroyProgram = fn("nvrtcDestroyProgram", ADDRESS);
    private static final Downcall nvrtcVersion = fn("nvrtcVersion", ADDRESS, ADDRESS);

    /** Every binding, for the header-conformance test. */
    static final List<Downcall> ALL = List.of(nvrtcCreateProgram, nvrtcCompileProgram, nvrtcGetCUBINSize, nvrtcGetCUBIN,
            nvrtcGetProgramLogSize, nvrtcGetProgramLog, nvrtcDestroyProgram, nvrtcVersion);

    /** {@code headers} and {@code includeNames} are {@code const char*[numHeaders]} (source text, then #include name). */
    public static int nvrtcCreateProgram(MemorySegment prog, MemorySegment src, MemorySegment name, int numHeaders,
                                         MemorySegment headers, MemorySegment includeNames) {
        try { return (int) nvrtcCreateProgram.handle().invokeExact(prog, src, name, numHeaders, headers, includeNames); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int nvrtcCompileProgram(MemorySegment prog, int numOptions, MemorySegment options) {
        try { return (int) nvrtcCompileProgram.handle().invokeExact(prog, numOptions, options); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int nvrtcGetCUBINSize(MemorySegment prog, MemorySegment cubinSizeRet) {
        try { return (int) nvrtcGetCUBINSize.handle().invokeExact(prog, cubinSizeRet); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int nvrtcGetCUBIN(MemorySegment prog, MemorySegment cubin) {
        try { return (int) nvrtcGetCUBIN.handle().invokeExact(prog, cubin); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int nvrtcGetProgramLogSize(MemorySegment prog, MemorySegment logSizeRet) {
        try { return (int) nvrtcGetProgramLogSize.handle().invokeExact(prog, logSizeRet); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int nvrtcGetProgramLog(MemorySegment prog, MemorySegment log) {
        try { return (int) nvrtcGetProgramLog.handle().invokeExact(prog, log); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** Takes a pointer to the program handle. */
    public static int nvrtcDestroyProgram(MemorySegment prog) {
        try { return (int) nvrtcDestroyProgram.handle().invokeExact(prog); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int nvrtcVersion(MemorySegment major, MemorySegment minor) {
        try { return (int) nvrtcVersion.handle().invokeExact(major, minor); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
}
