package dev.gannet.cuda;

/** A cuBLAS or cuBLASLt call returned a status other than CUBLAS_STATUS_SUCCESS. */
public final class CublasException extends NativeCallException {
    public CublasException(String call, int code) {
        super(call, code, codeName(code), null);
    }

    public static void check(int status, String call) {
        if (status != 0) throw new CublasException(call, status);
    }

    /** cublasStatus_t names (cublas_api.h). */
    public static String codeName(int code) {
        return switch (code) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "CUBLAS_STATUS_" + code;
        };
    }
}
