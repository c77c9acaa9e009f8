package dev.gannet.runtime.template;

/** Python's {@code range}, kept lazy; the sandbox refuses ranges longer than {@link #MAX}. */
record PyRange(long start, long stop, long step) {
    /** jinja2's sandbox limit (MAX_RANGE). */
    static final long MAX = 100_000;

    PyRange {
        if (step == 0) throw new TemplateException("ValueError", "range() arg 3 must not be zero");
        if (length(start, stop, step) > MAX) {
            throw new TemplateException("OverflowError",
                    "Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX + ").");
        }
    }

    int size() {
        return (int) length(start, stop, step);
    }

    long get(int i) {
        return start + step * i;
    }

    private static long length(long start, long stop, long step) {
        if (step > 0) return start < stop ? (stop - start - 1) / step + 1 : 0;
        return start > stop ? (start - stop - 1) / -step + 1 : 0;
    }
}
