package dev.gannet.runtime.constraint;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An automaton for JSON numbers within bounds ({@code minimum}, {@code maximum}, exclusive or not) and, for
 * integers, a multiple of a whole number: it reads the number digit by digit, comparing it with each
 * bound as it goes, so only numbers that can still end inside the range are ever allowed. Bounded
 * numbers are written without an exponent: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?} with the digit limits of
 * {@link JsonGrammar}.
 */
final class NumberAutomaton {
    static final int MAX_STATES = 60_000;
    private static final int LT = -1, EQ = 0, GT = 1;

    /** A bound: its sign, and the digits of its absolute value (fraction without trailing zeros). */
    private record Bound(int sign, String intDigits, String fracDigits, boolean exclusive) {
        static Bound of(BigDecimal v, boolean exclusive) {
            if (v == null) return null;
            BigDecimal abs = v.abs();
            BigInteger whole = abs.toBigInteger();
            BigDecimal frac = abs.subtract(new BigDecimal(whole)).stripTrailingZeros();
            String f = frac.signum() == 0 ? "" : frac.toPlainString().substring(2);
            return new Bound(v.signum(), whole.toString(), f, exclusive);
        }
    }

    /**
     * phase: 0 start, 1 after '-', 2 in integer digits, 3 integer part is "0", 4 after '.', 5 in fraction.
     * lo/hi: during the integer part, the digits so far against the bound's (lexicographic); after it, |x|
     * against |bound| so far.
     */
    private record S(int phase, boolean neg, int intDigits, int fracDigits, boolean zero, int lo, int hi, int rem) {}

    private final boolean integer;
    private final Bound lo, hi;
    private final int multipleOf;

    private NumberAutomaton(boolean integer, Bound lo, Bound hi, int multipleOf) {
        this.integer = integer;
        this.lo = lo;
        this.hi = hi;
        this.multipleOf = multipleOf;
    }

    /** {@code multipleOf} 0 means none; with one, the numbers are integers. */
    static ByteDfa build(boolean integer, BigDecimal min, boolean minExclusive, BigDecimal max, boolean maxExclusive,
                         int multipleOf, String what) {
        NumberAutomaton a = new NumberAutomaton(integer || multipleOf > 0, Bound.of(min, minExclusive),
                Bound.of(max, maxExclusive), multipleOf);
        ByteDfa dfa = ByteDfa.explore(a.machine(), MAX_STATES, what);
        if (dfa.isEmpty()) throw new IllegalArgumentException(what + " allows no number");
        return dfa;
    }

    private ByteDfa.Machine<S> machine() {
        return new ByteDfa.Machine<>() {
            @Override
            public S start() {
                return new S(0, false, 0, 0, true, EQ, EQ, 0);
            }

            @Override
            public S step(S s, int b) {
                return next(s, b);
            }

            @Override
            public boolean accepting(S s) {
                return accepts(s);
            }
        };
    }

    private S next(S s, int b) {
        boolean digit = b >= '0' && b <= '9';
        int d = b - '0';
        switch (s.phase) {
            case 0, 1 -> {
                if (b == '-' && s.phase == 0) return new S(1, true, 0, 0, true, EQ, EQ, 0);
                if (!digit) return null;
                return intDigit(s, d, d == 0 ? 3 : 2);
            }
            case 2 -> {
                if (digit) return s.intDigits < JsonGrammar.MAX_INT_DIGITS ? intDigit(s, d, 2) : null;
                return b == '.' ? dot(s) : null;
            }
            case 3 -> { return b == '.' ? dot(s) : null; }
            case 4, 5 -> {
                if (!digit || s.fracDigits >= JsonGrammar.MAX_FRACTION_DIGITS) return null;
                return new S(5, s.neg, s.intDigits, s.fracDigits + 1, s.zero && d == 0,
                        fracCompare(lo, s.lo, s.fracDigits, d), fracCompare(hi, s.hi, s.fracDigits, d), s.rem);
            }
            default -> throw new IllegalStateException();
        }
    }

    private S intDigit(S s, int d, int phase) {
        int rem = multipleOf > 0 ? (int) ((s.rem * 10L + d) % multipleOf) : 0;
        return new S(phase, s.neg, s.intDigits + 1, 0, s.zero && d == 0,
                intCompare(lo, s.lo, s.intDigits, d), intCompare(hi, s.hi, s.intDigits, d), rem);
    }

    private S dot(S s) {
        if (integer) return null;
        return new S(4, s.neg, s.intDigits, 0, s.zero, resolveInt(lo, s.lo, s.intDigits), resolveInt(hi, s.hi, s.intDigits), s.rem);
    }

    private static int intCompare(Bound b, int cmp, int index, int d) {
        if (b == null) return EQ;
        if (index >= b.intDigits.length()) return GT;
        return cmp != EQ ? cmp : Integer.compare(d, b.intDigits.charAt(index) - '0');
    }

    /** |integer part| against |bound|'s once the integer part is complete. */
    private static int resolveInt(Bound b, int lex, int digits) {
        if (b == null) return EQ;
        int len = b.intDigits.length();
        return digits < len ? LT : digits > len ? GT : lex;
    }

    private static int fracCompare(Bound b, int cmp, int index, int d) {
        if (b == null || cmp != EQ) return cmp;
        int bd = index < b.fracDigits.length() ? b.fracDigits.charAt(index) - '0' : 0;
        return Integer.compare(d, bd);
    }

    private boolean accepts(S s) {
        if (s.phase != 2 && s.phase != 3 && s.phase != 5) return false;
        if (multipleOf > 0 && s.rem != 0) return false;
        return within(lo, s, s.lo, true) && within(hi, s, s.hi, false);
    }

    private boolean within(Bound b, S s, int cmp, boolean lower) {
        if (b == null) return true;
        int abs = s.phase == 5 ? cmp : resolveInt(b, cmp, s.intDigits);
        if (abs == EQ && s.fracDigits < b.fracDigits.length()) abs = LT;
        int sx = s.zero ? 0 : s.neg ? -1 : 1;
        int c = sx != b.sign ? Integer.compare(sx, b.sign) : sx == 0 ? 0 : sx > 0 ? abs : -abs;
        if (lower) return b.exclusive ? c > 0 : c >= 0;
        return b.exclusive ? c < 0 : c <= 0;
    }
}
