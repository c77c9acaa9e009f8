package dev.gannet.runtime.parallel;

/** A half-open index range [from, to) of rows, columns, heads or vocabulary ids that one rank owns. */
public record Range(int from, int to) {
    public Range {
        if (from < 0 || to <= from) throw new IllegalArgumentException("range [" + from + ", " + to + ") must be non-empty and start at >= 0");
    }

    public int length() { return to - from; }

    /** This range scaled by {@code k}: heads [a, b) become rows [a * headDim, b * headDim). */
    public Range times(int k) { return new Range(from * k, to * k); }
}
