package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.kernel.VectorKernels;

/** The kernel implementations model tests run against. */
enum KernelChoice {
    REFERENCE,
    VECTOR;

    Kernels create() {
        return switch (this) {
            case REFERENCE -> new ReferenceKernels();
            case VECTOR -> new VectorKernels(2);
        };
    }
}
