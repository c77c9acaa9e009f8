package dev.gannet.runtime.constraint;

import java.util.Arrays;

/**
 * A Thompson NFA of one rule under construction: byte-range edges, call edges (another rule, then
 * continue) and epsilon edges. {@link RuleDfa#determinize} turns it into the rule's automaton.
 */
final class Nfa {
    int states;
    int start;
    int end;
    // byte edges: from, lo, hi, to
    int[] byteEdges = new int[64];
    int byteCount;
    // call edges: from, rule, to
    int[] callEdges = new int[24];
    int callCount;
    // epsilon edges: from, to
    int[] epsEdges = new int[32];
    int epsCount;

    int newState() {
        return states++;
    }

    void bytes(int from, int lo, int hi, int to) {
        if (byteEdges.length < (byteCount + 1) * 4) byteEdges = Arrays.copyOf(byteEdges, byteEdges.length * 2);
        int i = byteCount++ * 4;
        byteEdges[i] = from;
        byteEdges[i + 1] = lo;
        byteEdges[i + 2] = hi;
        byteEdges[i + 3] = to;
    }

    void call(int from, int rule, int to) {
        if (callEdges.length < (callCount + 1) * 3) callEdges = Arrays.copyOf(callEdges, callEdges.length * 2);
        int i = callCount++ * 3;
        callEdges[i] = from;
        callEdges[i + 1] = rule;
        callEdges[i + 2] = to;
    }

    void eps(int from, int to) {
        if (epsEdges.length < (epsCount + 1) * 2) epsEdges = Arrays.copyOf(epsEdges, epsEdges.length * 2);
        int i = epsCount++ * 2;
        epsEdges[i] = from;
        epsEdges[i + 1] = to;
    }
}
