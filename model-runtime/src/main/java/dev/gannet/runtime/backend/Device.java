package dev.gannet.runtime.backend;

import java.util.Locale;

/**
 * Where a model runs ({@code --device}): {@code cpu}, {@code cuda} (device 0) or {@code cuda:N}.
 *
 * @param kind    the backend
 * @param ordinal the device number among those of its kind (always 0 for the CPU)
 */
public record Device(Kind kind, int ordinal) {
    /** The backends {@link ForwardFactory} can build. */
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        if (kind == null) throw new IllegalArgumentException("device kind is null");
        if (ordinal < 0 || (kind == Kind.CPU && ordinal != 0)) {
            throw new IllegalArgumentException("device " + kind + ":" + ordinal + " does not exist");
        }
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N} (any case).
     *
     * @throws IllegalArgumentException naming what is allowed
     */
    public static Device parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) return CPU;
        if (t.equals("cuda")) return new Device(Kind.CUDA, 0);
        if (t.matches("cuda:\\d{1,2}")) return new Device(Kind.CUDA, Integer.parseInt(t.substring(5)));
        throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, got '" + s + "'");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + ordinal;
    }
}
