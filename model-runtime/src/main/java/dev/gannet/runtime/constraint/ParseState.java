package dev.gannet.runtime.constraint;

import java.util.Arrays;

/**
 * Where a sequence stands after some bytes: the stacks whose top can read another byte ({@code scan}),
 * and whether the whole constraint can end here ({@code complete}). Immutable, so the matcher keeps one
 * per accepted token and rolls back by index.
 */
final class ParseState {
    /** After an end-of-generation token: nothing more is allowed. */
    static final ParseState FINISHED = new ParseState(new Frame[0], false);

    final Frame[] scan;
    final boolean complete;
    private final int hash;

    ParseState(Frame[] scan, boolean complete) {
        this.scan = scan;
        this.complete = complete;
        this.hash = Arrays.hashCode(scan) * 2 + (complete ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof ParseState p && p.hash == hash && p.complete == complete
                && Arrays.equals(scan, p.scan));
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
