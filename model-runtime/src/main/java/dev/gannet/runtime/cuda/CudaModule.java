package dev.gannet.runtime.cuda;

import static dev.gannet.cuda.CudaException.check;

import dev.gannet.cuda.CudaDriver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The loaded fatbin (CUmodule) and its functions; launches go to the context's stream. */
final class CudaModule implements CudaKernels.Launcher {
    private final CudaContext context;
    private final MemorySegment module;                 // CUmodule
    private final Map<Kernel, MemorySegment> functions; // CUfunction per kernel

    private CudaModule(CudaContext context, MemorySegment module, Map<Kernel, MemorySegment> functions) {
        this.context = context;
        this.module = module;
        this.functions = functions;
    }

    /** Loads a fatbin or cubin {@code image} and resolves every kernel of {@code kernels}. */
    static CudaModule load(CudaContext context, byte[] image, String what, List<Kernel> kernels, int maxDynamicShared) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L, 16);
            MemorySegment.copy(image, 0, img, ValueLayout.JAVA_BYTE, 0, image.length);
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(CudaDriver.cuModuleLoadData(out, img), "cuModuleLoadData(" + what + ")");
            MemorySegment module = out.get(ValueLayout.ADDRESS, 0);
            Map<Kernel, MemorySegment> fns = new HashMap<>();
            for (Kernel k : kernels) {
                check(CudaDriver.cuModuleGetFunction(out, module, a.allocateFrom(k.name())), "cuModuleGetFunction(" + k.name() + ")");
                MemorySegment fn = out.get(ValueLayout.ADDRESS, 0);
                if (k.name().startsWith("paged_decode_partial") || k.name().startsWith("prefill_attention")) {
                    check(CudaDriver.cuFuncSetAttribute(fn, CudaDriver.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                            maxDynamicShared), "cuFuncSetAttribute(" + k.name() + ")");
                }
                fns.put(k, fn);
            }
            return new CudaModule(context, module, fns);
        }
    }

    @Override
    public void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, int sharedBytes, LaunchArgs args) {
        MemorySegment fn = functions.get(kernel);
        check(CudaDriver.cuLaunchKernel(fn, gridX, gridY, gridZ, block, 1, 1, sharedBytes, context.stream(),
                args.pointerArray(), MemorySegment.NULL), "cuLaunchKernel(" + kernel.name() + ")");
    }

    @Override
    public void close() {
        check(CudaDriver.cuModuleUnload(module), "cuModuleUnload");
    }
}
