package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.kernel.VectorKernels;

/** The kernel implementations model tests run against. */
enum KernelChoice {
    REFERENCE,
    VECTOR,
    /** The native kernel library's best variant for this CPU (the Vector API where it was not built). */
    NATIVE;

    Kernels create() {
        return switch (this) {
            case REFERENCE -> new ReferenceKernels();
            case VECTOR -> new VectorKernels(2);
            case NATIVE -> VectorKernels.withNativeMatmuls(2);
        };
    }
}
