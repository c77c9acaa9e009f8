package dev.gannet.cuda;

/** An NVRTC call returned a status other than NVRTC_SUCCESS; a failed compilation carries the compiler log. */
public final class NvrtcException extends RuntimeException {
    private final String call;
    private final int code;

    public NvrtcException(String call, int code, String log) {
        super(call + " failed: " + Nvrtc.codeName(code) + " (" + code + ")" + (log == null || log.isBlank() ? "" : "\n" + log));
        this.call = call;
        this.code = code;
    }

    public String call() {
        return call;
    }

    public int code() {
        return code;
    }
}
