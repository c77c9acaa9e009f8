package dev.gannet.runtime.cuda;

/** Element type of device activations, weights and KV cache; {@link #suffix} names the kernel variant. */
public enum DeviceDtype {
    F32("f32", 4), F16("f16", 2), BF16("bf16", 2);

    private final String suffix;
    private final int bytes;

    DeviceDtype(String suffix, int bytes) {
        this.suffix = suffix;
        this.bytes = bytes;
    }

    public String suffix() {
        return suffix;
    }

    public int bytes() {
        return bytes;
    }
}
