package dev.gannet.cuda;

/** An NVRTC call returned a status other than NVRTC_SUCCESS; a failed compilation carries the compiler log. */
public final class NvrtcException extends NativeCallException {
    public NvrtcException(String call, int code, String log) {
        super(call, code, Nvrtc.codeName(code), log);
    }
}
