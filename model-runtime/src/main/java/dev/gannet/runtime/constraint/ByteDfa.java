package dev.gannet.runtime.constraint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small explicit DFA over bytes (state 0 is the start), built by exploring a state machine written as
 * Java code; used where a regular expression would be unwieldy (number ranges). Only states that can
 * still reach an accepting state are kept, so every prefix it allows can be completed.
 */
record ByteDfa(int[] next, boolean[] accepting) {
    static final int DEAD = -1;

    /** A deterministic machine whose states are values with equals/hashCode; {@code step} returns null to reject. */
    interface Machine<S> {
        S start();

        S step(S state, int b);

        boolean accepting(S state);
    }

    int states() {
        return accepting.length;
    }

    int step(int state, int b) {
        return next[state * 256 + b];
    }

    /** Materializes the machine's reachable states (at most {@code maxStates}), then trims the dead ones. */
    static <S> ByteDfa explore(Machine<S> m, int maxStates, String what) {
        Map<S, Integer> ids = new HashMap<>();
        List<S> states = new ArrayList<>();
        ids.put(m.start(), 0);
        states.add(m.start());
        List<int[]> rows = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            int[] row = new int[256];
            for (int b = 0; b < 256; b++) {
                S t = m.step(states.get(i), b);
                if (t == null) {
                    row[b] = DEAD;
                    continue;
                }
                Integer id = ids.get(t);
                if (id == null) {
                    if (states.size() >= maxStates) {
                        throw new IllegalArgumentException(what + " needs more than " + maxStates + " automaton states");
                    }
                    id = states.size();
                    ids.put(t, id);
                    states.add(t);
                }
                row[b] = id;
            }
            rows.add(row);
        }
        boolean[] acc = new boolean[states.size()];
        for (int i = 0; i < acc.length; i++) acc[i] = m.accepting(states.get(i));
        return trim(rows, acc);
    }

    /** Drops states that cannot reach acceptance and renumbers the rest (start stays 0). */
    private static ByteDfa trim(List<int[]> rows, boolean[] acc) {
        int n = acc.length;
        boolean[] live = acc.clone();
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int s = 0; s < n; s++) {
                if (live[s]) continue;
                for (int t : rows.get(s)) {
                    if (t != DEAD && live[t]) {
                        live[s] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }
        if (!live[0]) return new ByteDfa(new int[0], new boolean[0]);
        int[] map = new int[n];
        int k = 0;
        for (int s = 0; s < n; s++) map[s] = live[s] ? k++ : DEAD;
        int[] next = new int[k * 256];
        boolean[] accepting = new boolean[k];
        for (int s = 0; s < n; s++) {
            if (!live[s]) continue;
            accepting[map[s]] = acc[s];
            int[] row = rows.get(s);
            for (int b = 0; b < 256; b++) next[map[s] * 256 + b] = row[b] == DEAD ? DEAD : map[row[b]];
        }
        return new ByteDfa(next, accepting);
    }

    boolean isEmpty() {
        return accepting.length == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteDfa d && Arrays.equals(next, d.next) && Arrays.equals(accepting, d.accepting);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(next);
    }
}
