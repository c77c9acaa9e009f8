package dev.gannet.cuda;

/** An NCCL call returned a status other than ncclSuccess. */
public final class NcclException extends RuntimeException {
    private final String call;
    private final int code;

    public NcclException(String call, int code) {
        super(call + " failed: " + codeName(code) + " (" + code + ")");
        this.call = call;
        this.code = code;
    }

    public static void check(int status, String call) {
        if (status != 0) throw new NcclException(call, status);
    }

    public String call() {
        return call;
    }

    public int code() {
        return code;
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
