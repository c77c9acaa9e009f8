package dev.gannet.cuda;

/** An NCCL call returned a status other than ncclSuccess. */
public final class NcclException extends NativeCallException {
    public NcclException(String call, int code) {
        super(call, code, codeName(code), null);
    }

    public static void check(int status, String call) {
        if (status != 0) throw new NcclException(call, status);
    }

    /** ncclResult_t names (nccl.h). */
    public static String codeName(int code) {
        return switch (code) {
            case 0 -> "ncclSuccess";
            case 1 -> "ncclUnhandledCudaError";
            case 2 -> "ncclSystemError";
            case 3 -> "ncclInternalError";
            case 4 -> "ncclInvalidArgument";
            case 5 -> "ncclInvalidUsage";
            case 6 -> "ncclRemoteError";
            case 7 -> "ncclInProgress";
            default -> "ncclResult_" + code;
        };
    }
}
