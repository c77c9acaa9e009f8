package dev.gannet.cuda;

/**
 * A native library call returned a failure status: the message names the call, the status name and its
 * number, e.g. {@code cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)}. One subclass per library, so
 * callers can tell a driver failure from a cuBLAS or NCCL one.
 */
public abstract sealed class NativeCallException extends RuntimeException
        permits CudaException, CublasException, NcclException, NvrtcException {
    private final String call;
    private final int code;

    NativeCallException(String call, int code, String codeName, String detail) {
        super(call + " failed: " + codeName + " (" + code + ")" + (detail == null || detail.isBlank() ? "" : "\n" + detail));
        this.call = call;
        this.code = code;
    }

    /** The C function that failed. */
    public String call() {
        return call;
    }

    /** The status it returned. */
    public int code() {
        return code;
    }
}
