package dev.gannet.runtime.constraint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;

/**
 * Moves a set of parse stacks over one byte: every top that can read it advances, then each result is
 * expanded (calls pushed, finished rules popped) until every stack's top reads bytes again. With no
 * left recursion (refused at compile time) the expansion is finite.
 */
final class Stacks {
    /** The result of one expansion. Mutable scratch, one per call. */
    static final class Closure {
        final ArrayList<Frame> scan = new ArrayList<>(4);
        final HashSet<Frame> seen = new HashSet<>();
        final ArrayDeque<Frame> work = new ArrayDeque<>();
        boolean complete;
        /** Some stack returned into {@link Frame#BOTTOM}: the unknown context decides what follows. */
        boolean escaped;
        int stepped;

        Frame[] scanArray() {
            return scan.toArray(new Frame[0]);
        }
    }

    private Stacks() {}

    /**
     * Expands {@code start} into {@code c}. Iterative, so that popping a long chain of finished rules (right
     * recursion thousands deep) needs no call stack.
     */
    static void expand(CompiledGrammar g, Frame start, Closure c) {
        ArrayDeque<Frame> work = c.work;
        work.push(start);
        while (!work.isEmpty()) {
            Frame f = work.pop();
            if (!c.seen.add(f)) continue;
            RuleDfa d = g.rules[f.rule];
            if (d.readsBytes[f.state]) c.scan.add(f);
            int[] row = d.calls[f.state];
            for (int i = row.length - 2; i >= 0; i -= 2) {
                work.push(Frame.of(g, row[i], 0, Frame.of(g, f.rule, row[i + 1], f.parent)));
            }
            if (d.accepting[f.state]) {
                if (f.parent == null) {
                    c.complete = true;
                } else if (f.parent == Frame.BOTTOM) {
                    c.escaped = true;
                } else if (f.parent.endsAll) {
                    c.complete = true;
                } else {
                    work.push(f.parent);
                }
            }
        }
    }

    /** Reads byte {@code b} from every frame of {@code scan}; {@code c.stepped} says how many could. */
    static Closure step(CompiledGrammar g, Frame[] scan, int b) {
        Closure c = new Closure();
        for (Frame f : scan) {
            int t = g.rules[f.rule].step(f.state, b);
            if (t == RuleDfa.DEAD) continue;
            c.stepped++;
            expand(g, Frame.of(g, f.rule, t, f.parent), c);
        }
        return c;
    }

    /** Whether {@code bytes} can be read from the single stack {@code top} (with its real context). */
    static boolean accepts(CompiledGrammar g, Frame top, byte[] bytes) {
        Frame[] scan = {top};
        for (int i = 0; i < bytes.length; i++) {
            Closure c = step(g, scan, bytes[i] & 0xFF);
            if (c.stepped == 0) return false;
            scan = c.scanArray();
        }
        return true;
    }
}
