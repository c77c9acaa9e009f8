package dev.gannet.runtime.constraint;

/**
 * One entry of a parse stack: a rule's automaton in a state, above the frame to continue in when the rule
 * ends ({@code parent}: null when this is the grammar's root, {@link #BOTTOM} when the context is unknown,
 * as while precomputing a state's token sets). Immutable; stacks share their tails.
 */
final class Frame {
    /** The unknown rest of a stack: returning into it leaves what the precomputation can decide. */
    static final Frame BOTTOM = new Frame(-1, -1, null);

    final int rule;
    final int state;
    final Frame parent;
    private final int hash;

    Frame(int rule, int state, Frame parent) {
        this.rule = rule;
        this.state = state;
        this.parent = parent;
        this.hash = 31 * (31 * rule + state) + (parent == null ? 0 : parent.hash);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Frame)) return false;
        Frame a = this, b = (Frame) o;
        while (a != b) { // iterative: stacks can be thousands deep
            if (a == null || b == null || a.hash != b.hash || a.rule != b.rule || a.state != b.state) return false;
            a = a.parent;
            b = b.parent;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    int depth() {
        int d = 0;
        for (Frame f = this; f != null && f != BOTTOM; f = f.parent) d++;
        return d;
    }
}
