package dev.gannet.runtime.constraint;

/**
 * One entry of a parse stack: a rule's automaton in a state, above the frame to continue in when the rule
 * ends ({@code parent}: null when this is the grammar's root, {@link #BOTTOM} when the context is unknown,
 * as while precomputing a state's token sets). Immutable; stacks share their tails.
 */
final class Frame {
    /** The unknown rest of a stack: returning into it leaves what the precomputation can decide. */
    static final Frame BOTTOM = new Frame(-1, -1, null, false);

    final int rule;
    final int state;
    final Frame parent;
    /**
     * Returning into this frame can only end the whole output: its state and every state below it are final
     * (accepting, no bytes, no calls). Expanding a pop into it is then O(1) instead of a walk down the stack,
     * which keeps deep right recursion ({@code list ::= item list?}) linear.
     */
    final boolean endsAll;
    private final int hash;

    private Frame(int rule, int state, Frame parent, boolean endsAll) {
        this.rule = rule;
        this.state = state;
        this.parent = parent;
        this.endsAll = endsAll;
        this.hash = 31 * (31 * rule + state) + (parent == null ? 0 : parent.hash);
    }

    static Frame of(CompiledGrammar g, int rule, int state, Frame parent) {
        RuleDfa d = g.rules[rule];
        boolean isFinal = d.accepting[state] && !d.readsBytes[state] && d.calls[state].length == 0;
        return new Frame(rule, state, parent, isFinal && (parent == null || parent.endsAll));
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
