package dev.gannet.runtime.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gannet.cuda.Nvrtc;
import dev.gannet.cuda.NvrtcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles the kernel sources shipped on the classpath (dev/gannet/runtime/cuda/src, copied there by
 * build-kernels.sh) with NVRTC into a CUBIN for one compute capability. Used when the driver is older
 * than the nvcc that built the fatbin, or when the build had no nvcc. Needs {@link Nvrtc#load} first.
 */
final class NvrtcCompiler {
    static final String SOURCES = "/dev/gannet/runtime/cuda/src/";
    static final String MAIN = "gannet_kernels.cu";
    private static final Pattern INCLUDE = Pattern.compile("#include \"([^\"]+)\"");

    private NvrtcCompiler() { }

    /** Every quoted #include reachable from the main file, with its text, in discovery order. */
    static Map<String, String> headers() {
        Map<String, String> found = new LinkedHashMap<>();
        List<String> todo = new ArrayList<>(List.of(MAIN));
        while (!todo.isEmpty()) {
            Matcher m = INCLUDE.matcher(read(todo.removeFirst()));
            while (m.find()) {
                if (!found.containsKey(m.group(1))) {
                    found.put(m.group(1), read(m.group(1)));
                    todo.add(m.group(1));
                }
            }
        }
        return found;
    }

    static String read(String name) {
        try (InputStream in = NvrtcCompiler.class.getResourceAsStream(SOURCES + name)) {
            if (in == null) throw new IllegalStateException("kernel source " + SOURCES + name + " is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel source " + name, e);
        }
    }

    /** A CUBIN for compute capability {@code cc} (e.g. 90 gives sm_90). */
    static byte[] compile(int cc) {
        Map<String, String> headers = headers();
        String[] options = {"--gpu-architecture=sm_" + cc, "-std=c++17"};
        try (Arena a = Arena.ofConfined()) {
            MemorySegment texts = a.allocate(ADDRESS, headers.size()), names = a.allocate(ADDRESS, headers.size());
            int i = 0;
            for (var e : headers.entrySet()) {
                texts.setAtIndex(ADDRESS, i, a.allocateFrom(e.getValue()));
                names.setAtIndex(ADDRESS, i++, a.allocateFrom(e.getKey()));
            }
            MemorySegment opts = a.allocate(ADDRESS, options.length);
            for (int j = 0; j < options.length; j++) opts.setAtIndex(ADDRESS, j, a.allocateFrom(options[j]));
            MemorySegment prog = a.allocate(ADDRESS);
            Nvrtc.check(Nvrtc.nvrtcCreateProgram(prog, a.allocateFrom(read(MAIN)), a.allocateFrom(MAIN), headers.size(), texts, names),
                    "nvrtcCreateProgram");
            MemorySegment p = prog.get(ADDRESS, 0);
            try {
                int rc = Nvrtc.nvrtcCompileProgram(p, options.length, opts);
                if (rc != Nvrtc.NVRTC_SUCCESS) throw new NvrtcException("nvrtcCompileProgram(" + String.join(" ", options) + ")", rc, log(a, p));
                MemorySegment size = a.allocate(JAVA_LONG);
                Nvrtc.check(Nvrtc.nvrtcGetCUBINSize(p, size), "nvrtcGetCUBINSize");
                MemorySegment cubin = a.allocate(size.get(JAVA_LONG, 0));
                Nvrtc.check(Nvrtc.nvrtcGetCUBIN(p, cubin), "nvrtcGetCUBIN");
                return cubin.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            } finally {
                Nvrtc.nvrtcDestroyProgram(prog);
            }
        }
    }

    /** "major.minor" of the loaded NVRTC. */
    static String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
            Nvrtc.check(Nvrtc.nvrtcVersion(major, minor), "nvrtcVersion");
            return major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0);
        }
    }

    private static String log(Arena a, MemorySegment p) {
        MemorySegment size = a.allocate(JAVA_LONG);
        if (Nvrtc.nvrtcGetProgramLogSize(p, size) != Nvrtc.NVRTC_SUCCESS) return "";
        MemorySegment log = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
        return Nvrtc.nvrtcGetProgramLog(p, log) == Nvrtc.NVRTC_SUCCESS ? log.getString(0) : "";
    }
}
