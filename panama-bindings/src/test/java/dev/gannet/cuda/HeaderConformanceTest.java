package dev.gannet.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every bound symbol exists in the installed header and its FunctionDescriptor matches the C
 * prototype parameter by parameter. Headers that are not installed skip their check with one line
 * (this machine has cuda.h from the toolkit but no cuBLAS or NCCL headers).
 */
class HeaderConformanceTest {

    @Test
    void driverBindingsMatchCudaH() throws IOException {
        check("cuda.h", CudaDriver.ALL);
    }

    /** The committed jextract output still matches the installed cuda.h: its descriptors, parameter by parameter. */
    @Test
    void generatedDriverBindingsMatchCudaH() throws IOException {
        Optional<Path> h = CHeaders.find("cuda.h");
        Assumptions.assumeTrue(h.isPresent(), "cuda.h not installed here: the generated bindings not checked");
        String header = CHeaders.read(h.get());
        Matcher v = Pattern.compile("#define CUDA_VERSION (\\d+)").matcher(header);
        int version = v.find() ? Integer.parseInt(v.group(1)) : -1;
        Assumptions.assumeTrue(version == CudaDriver.GENERATED_FROM_CUDA_VERSION, h.get() + " is CUDA_VERSION " + version
                + "; the bindings were generated from " + CudaDriver.GENERATED_FROM_CUDA_VERSION + ": not compared");
        String rel = "src/main/java/dev/gannet/cuda/gen/cuda_h.java"; // from the module (Maven) or the repository root (GPU check)
        Path source = java.nio.file.Files.isRegularFile(Path.of(rel)) ? Path.of(rel) : Path.of("panama-bindings", rel);
        String gen = java.nio.file.Files.readString(source);
        Matcher m = Pattern.compile("private static class (\\w+) \\{\\s*public static final FunctionDescriptor DESC = "
                + "FunctionDescriptor\\.of\\(([^;]*)\\);").matcher(gen);
        List<String> problems = new ArrayList<>();
        int n = 0;
        while (m.find()) {
            n++;
            String name = m.group(1);
            List<MemoryLayout> layouts = new ArrayList<>();
            for (String c : m.group(2).split(",")) layouts.add(generatedLayout(c.strip()));
            var proto = CHeaders.prototype(header, CHeaders.publicName(header, name)); // cuDeviceTotalMem for cuDeviceTotalMem_v2
            if (proto.isEmpty()) proto = CHeaders.prototype(header, name);
            if (proto.isEmpty()) {
                problems.add(name + ": no prototype in " + h.get());
                continue;
            }
            if (proto.get().params().size() != layouts.size() - 1) {
                problems.add(name + ": generated with " + (layouts.size() - 1) + " parameters, header has " + proto.get().params());
                continue;
            }
            if (!same(CHeaders.layoutOf(proto.get().returnType()), layouts.getFirst())) problems.add(name + ": return type");
            for (int i = 0; i < proto.get().params().size(); i++) {
                if (!same(CHeaders.layoutOf(proto.get().params().get(i)), layouts.get(i + 1))) {
                    problems.add(name + ": parameter " + i + " '" + proto.get().params().get(i) + "' generated as " + layouts.get(i + 1));
                }
            }
        }
        assertTrue(n >= 42, "parsed only " + n + " generated functions");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** Every driver function Gannet calls goes through the generated class (same name, same Java parameter types). */
    @Test
    void theDriverFacadeDelegatesToTheGeneratedBindings() throws Exception {
        Class<?> gen = Class.forName("dev.gannet.cuda.gen.cuda_h", false, getClass().getClassLoader());
        int n = 0;
        for (java.lang.reflect.Method f : CudaDriver.class.getDeclaredMethods()) {
            if (!java.lang.reflect.Modifier.isPublic(f.getModifiers()) || !f.getName().startsWith("cu")
                    || f.getName().equals("cuEventElapsedTime_v2")) continue;
            java.lang.reflect.Method g = gen.getMethod(f.getName(), f.getParameterTypes());
            assertEquals(f.getReturnType(), g.getReturnType(), f.getName());
            n++;
        }
        assertEquals(42, n);
    }

    private static MemoryLayout generatedLayout(String constant) {
        return switch (constant.replace("cuda_h.", "")) {
            case "C_INT" -> java.lang.foreign.ValueLayout.JAVA_INT;
            case "C_LONG_LONG", "C_LONG" -> java.lang.foreign.ValueLayout.JAVA_LONG;
            case "C_POINTER" -> java.lang.foreign.ValueLayout.ADDRESS;
            case "C_CHAR" -> java.lang.foreign.ValueLayout.JAVA_BYTE;
            case "C_SHORT" -> java.lang.foreign.ValueLayout.JAVA_SHORT;
            case "C_FLOAT" -> java.lang.foreign.ValueLayout.JAVA_FLOAT;
            case "C_DOUBLE" -> java.lang.foreign.ValueLayout.JAVA_DOUBLE;
            default -> throw new AssertionError("generated layout not handled: " + constant);
        };
    }

    @Test
    void cublasBindingsMatchCublasHeaders() throws IOException {
        List<Downcall> lt = Cublas.ALL.stream().filter(d -> d.symbol().startsWith("cublasLt")).toList();
        List<Downcall> plain = Cublas.ALL.stream().filter(d -> !d.symbol().startsWith("cublasLt")).toList();
        check("cublasLt.h", lt);
        check("cublas_api.h", plain);
    }

    @Test
    void ncclBindingsMatchNcclH() throws IOException {
        check("nccl.h", Nccl.ALL);
    }

    @Test
    void nvrtcBindingsMatchNvrtcH() throws IOException {
        check("nvrtc.h", Nvrtc.ALL);
    }

    @Test
    void everyCuresultInTheHeaderHasItsName() throws IOException {
        Optional<Path> h = CHeaders.find("cuda.h");
        Assumptions.assumeTrue(h.isPresent(), "cuda.h not installed: CUresult table not checked");
        String text = CHeaders.read(h.get());
        int start = text.indexOf("typedef enum cudaError_enum");
        int end = text.indexOf("} CUresult;", start);
        Matcher m = Pattern.compile("(CUDA_[A-Z0-9_]+)\\s*=\\s*(\\d+)").matcher(text.substring(start, end));
        int n = 0;
        while (m.find()) {
            assertEquals(m.group(1), CudaException.codeName(Integer.parseInt(m.group(2))));
            n++;
        }
        assertTrue(n > 90, "parsed only " + n + " CUresult values");
    }

    private static void check(String header, List<Downcall> bindings) throws IOException {
        Optional<Path> h = CHeaders.find(header);
        Assumptions.assumeTrue(h.isPresent(), header + " not installed here: its " + bindings.size() + " bindings not checked");
        String text = CHeaders.read(h.get());
        List<String> problems = new ArrayList<>();
        for (Downcall d : bindings) {
            String name = CHeaders.publicName(text, d.symbol());
            var proto = CHeaders.prototype(text, name);
            if (proto.isEmpty()) proto = CHeaders.prototype(text, d.symbol());
            if (proto.isEmpty()) {
                problems.add(d.symbol() + ": no prototype in " + h.get());
                continue;
            }
            String p = compare(d, proto.get());
            if (p != null) problems.add(p);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static String compare(Downcall d, CHeaders.Prototype proto) {
        var desc = d.descriptor();
        List<MemoryLayout> args = desc.argumentLayouts();
        if (args.size() != proto.params().size()) {
            return d.symbol() + ": binds " + args.size() + " parameters, header has " + proto.params();
        }
        for (int i = 0; i < args.size(); i++) {
            MemoryLayout want = CHeaders.layoutOf(proto.params().get(i));
            if (!same(want, args.get(i))) {
                return d.symbol() + ": parameter " + i + " '" + proto.params().get(i) + "' is " + want + ", bound as " + args.get(i);
            }
        }
        MemoryLayout ret = CHeaders.layoutOf(proto.returnType());
        if (desc.returnLayout().isEmpty() || !same(ret, desc.returnLayout().get())) {
            return d.symbol() + ": returns " + proto.returnType() + ", bound as " + desc.returnLayout();
        }
        return null;
    }

    private static boolean same(MemoryLayout a, MemoryLayout b) {
        if (a instanceof StructLayout || b instanceof StructLayout) return a.byteSize() == b.byteSize();
        return a.withoutName().equals(b.withoutName());
    }
}
