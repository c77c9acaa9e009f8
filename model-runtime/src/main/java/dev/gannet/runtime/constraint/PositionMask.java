package dev.gannet.runtime.constraint;

/**
 * What one automaton position (a rule in a state, above an unknown or no context) decides about every
 * token, computed once per constraint and shared: {@code accepted} tokens are read entirely inside the
 * rule (or rules it calls), whatever lies below on the stack; {@code uncertain} ones leave the rule and
 * must be checked against the real stack; all others are rejected.
 */
record PositionMask(TokenSet accepted, int[] uncertain) {
    long sizeBytes() {
        return 32 + accepted.sizeBytes() + 4L * uncertain.length;
    }
}
