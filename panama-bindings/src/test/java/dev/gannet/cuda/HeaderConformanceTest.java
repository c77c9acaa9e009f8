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
