package dev.gannet.cuda;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Test helper: finds installed C headers and reads function prototypes out of them (enough C for cuda.h, cuBLAS, NCCL). */
final class CHeaders {
    private CHeaders() { }

    /** The first include directory (CUDA toolkit, distro paths, then beside each GANNET_CUDA_LIBS folder) that holds {@code header}. */
    static Optional<Path> find(String header) {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/usr/local/cuda/include"), Path.of("/usr/include")));
        try (Stream<Path> s = Files.list(Path.of("/usr/local"))) {
            s.filter(p -> p.getFileName().toString().startsWith("cuda-")).map(p -> p.resolve("include")).forEach(dirs::add);
        } catch (IOException ignored) {
            // no /usr/local: only the fixed paths
        }
        // pip's nvidia/<lib>/lib folders (GANNET_CUDA_LIBS on the GPU machine) have their headers in ../include
        for (Path lib : CudaLibraryPaths.fromEnvironment(System.getenv()).searchDirs()) {
            if (lib.getParent() != null) dirs.add(lib.getParent().resolve("include"));
        }
        return dirs.stream().map(d -> d.resolve(header)).filter(Files::isRegularFile).findFirst();
    }

    /** Header text without comments. */
    static String read(Path header) throws IOException {
        String s = Files.readString(header);
        s = s.replaceAll("(?s)/\\*.*?\\*/", " ");
        return s.replaceAll("//[^\n]*", " ");
    }

    /** The public name a versioned symbol hides behind: {@code #define cuMemAlloc cuMemAlloc_v2} gives cuMemAlloc. */
    static String publicName(String text, String symbol) {
        Matcher m = Pattern.compile("#define\\s+(\\w+)\\s+(?:__CUDA_API_PT\\w+\\()?" + Pattern.quote(symbol) + "\\)?\\s*\n").matcher(text);
        return m.find() ? m.group(1) : symbol;
    }

    record Prototype(String returnType, List<String> params) { }

    /** The first declaration {@code RET [macros] name(params);} in the text, or empty. */
    static Optional<Prototype> prototype(String text, String name) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\s*\\(").matcher(text);
        while (m.find()) {
            int close = text.indexOf(')', m.end());
            int semi = text.indexOf(';', m.end());
            if (close < 0 || semi < 0 || !text.substring(close + 1, semi).isBlank()) continue; // a call or a definition
            int from = Math.max(text.lastIndexOf(';', m.start()), Math.max(text.lastIndexOf('}', m.start()), text.lastIndexOf('{', m.start())));
            String ret = text.substring(from + 1, m.start()).replaceAll("(?m)^\\s*#.*$", " "); // drop preprocessor lines
            ret = ret.replaceAll("\\b(CUDAAPI|CUBLASAPI|CUBLASWINAPI|NCCL_API|extern|__CUDA_DEPRECATED)\\b", " ").strip();
            if (ret.isEmpty() || !ret.matches("[\\w\\s\\*]+")) continue;
            String body = text.substring(m.end(), close).replaceAll("\\s+", " ").strip();
            List<String> params = new ArrayList<>();
            if (!body.isEmpty() && !body.equals("void")) {
                for (String p : body.split(",")) params.add(p.strip());
            }
            return Optional.of(new Prototype(ret.replaceAll("\\s+", " "), params));
        }
        return Optional.empty();
    }

    private static final Map<String, MemoryLayout> TYPES = Map.ofEntries(
            Map.entry("int", ValueLayout.JAVA_INT), Map.entry("unsigned int", ValueLayout.JAVA_INT),
            Map.entry("unsigned", ValueLayout.JAVA_INT), Map.entry("unsigned char", ValueLayout.JAVA_BYTE),
            Map.entry("float", ValueLayout.JAVA_FLOAT), Map.entry("size_t", ValueLayout.JAVA_LONG),
            Map.entry("unsigned long long", ValueLayout.JAVA_LONG), Map.entry("long long int", ValueLayout.JAVA_LONG),
            Map.entry("long long", ValueLayout.JAVA_LONG), Map.entry("int64_t", ValueLayout.JAVA_LONG),
            Map.entry("uint64_t", ValueLayout.JAVA_LONG), Map.entry("CUdeviceptr", ValueLayout.JAVA_LONG),
            Map.entry("CUresult", ValueLayout.JAVA_INT), Map.entry("CUdevice", ValueLayout.JAVA_INT),
            Map.entry("CUdevice_attribute", ValueLayout.JAVA_INT), Map.entry("CUfunction_attribute", ValueLayout.JAVA_INT),
            Map.entry("CUstreamCaptureMode", ValueLayout.JAVA_INT), Map.entry("cublasStatus_t", ValueLayout.JAVA_INT),
            Map.entry("cublasOperation_t", ValueLayout.JAVA_INT), Map.entry("cudaDataType", ValueLayout.JAVA_INT),
            Map.entry("cudaDataType_t", ValueLayout.JAVA_INT), Map.entry("cublasComputeType_t", ValueLayout.JAVA_INT),
            Map.entry("cublasGemmAlgo_t", ValueLayout.JAVA_INT), Map.entry("cublasLtMatmulDescAttributes_t", ValueLayout.JAVA_INT),
            Map.entry("ncclResult_t", ValueLayout.JAVA_INT), Map.entry("ncclDataType_t", ValueLayout.JAVA_INT),
            Map.entry("ncclRedOp_t", ValueLayout.JAVA_INT),
            Map.entry("CUcontext", ValueLayout.ADDRESS), Map.entry("CUstream", ValueLayout.ADDRESS),
            Map.entry("CUevent", ValueLayout.ADDRESS), Map.entry("CUmodule", ValueLayout.ADDRESS),
            Map.entry("CUfunction", ValueLayout.ADDRESS), Map.entry("CUgraph", ValueLayout.ADDRESS),
            Map.entry("CUgraphExec", ValueLayout.ADDRESS), Map.entry("cublasHandle_t", ValueLayout.ADDRESS),
            Map.entry("cudaStream_t", ValueLayout.ADDRESS), Map.entry("cublasLtHandle_t", ValueLayout.ADDRESS),
            Map.entry("cublasLtMatmulDesc_t", ValueLayout.ADDRESS), Map.entry("cublasLtMatrixLayout_t", ValueLayout.ADDRESS),
            Map.entry("ncclComm_t", ValueLayout.ADDRESS), Map.entry("nvrtcProgram", ValueLayout.ADDRESS),
            Map.entry("nvrtcResult", ValueLayout.JAVA_INT), Map.entry("ncclUniqueId", Nccl.NCCL_UNIQUE_ID));

    /** The FFM layout a C parameter or return type maps to; fails naming the type when this table lacks it. */
    static MemoryLayout layoutOf(String decl) {
        if (decl.contains("*") || decl.contains("[")) return ValueLayout.ADDRESS;
        String t = decl.replaceAll("\\b(const|struct|enum)\\b", " ").replaceAll("\\s+", " ").strip();
        if (TYPES.containsKey(t)) return TYPES.get(t);
        int sp = t.lastIndexOf(' ');
        if (sp > 0 && TYPES.containsKey(t.substring(0, sp))) return TYPES.get(t.substring(0, sp)); // drop the parameter name
        throw new AssertionError("C type '" + decl + "' is not in CHeaders.TYPES: add it with its layout");
    }
}
