package dev.gannet.runtime.constraint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/** Bounded numbers against BigDecimal arithmetic on random bounds and random number strings. */
class NumberAutomatonTest {
    private static final Pattern SYNTAX = Pattern.compile("-?(0|[1-9][0-9]{0,15})(\\.[0-9]{1,16})?");

    @RepeatedTest(40)
    void agreesWithBigDecimal(RepetitionInfo info) {
        Random rng = new Random(info.getCurrentRepetition());
        boolean integer = rng.nextBoolean();
        BigDecimal lo = rng.nextInt(4) == 0 ? null : randomDecimal(rng);
        BigDecimal hi = rng.nextInt(4) == 0 ? null : randomDecimal(rng);
        if (lo != null && hi != null && lo.compareTo(hi) > 0) { BigDecimal t = lo; lo = hi; hi = t; }
        boolean loEx = rng.nextBoolean(), hiEx = rng.nextBoolean();
        int multiple = integer && rng.nextInt(3) == 0 ? 1 + rng.nextInt(12) : 0;
        StringBuilder schema = new StringBuilder("{\"type\":\"").append(integer ? "integer" : "number").append('"');
        if (lo != null) schema.append(",\"").append(loEx ? "exclusiveMinimum" : "minimum").append("\":").append(lo.toPlainString());
        if (hi != null) schema.append(",\"").append(hiEx ? "exclusiveMaximum" : "maximum").append("\":").append(hi.toPlainString());
        if (multiple > 0) schema.append(",\"multipleOf\":").append(multiple);
        schema.append('}');
        Constraint c;
        try {
            c = ConstraintTests.bytes(ConstraintSpec.jsonSchema(schema.toString()));
        } catch (ConstraintException e) {
            return; // an empty range (e.g. exclusive bounds that meet) is refused; checked in JsonSchemaConstraintTest
        }
        for (int i = 0; i < 300; i++) {
            String s = i % 2 == 0 ? randomDecimal(rng).toPlainString() : near(rng, lo, hi);
            boolean expected = SYNTAX.matcher(s).matches() && (!integer || !s.contains("."))
                    && within(new BigDecimal(s), lo, loEx, hi, hiEx)
                    && (multiple == 0 || new BigDecimal(s).remainder(BigDecimal.valueOf(multiple)).signum() == 0);
            assertEquals(expected, ConstraintTests.matches(c, s), schema + " on " + s);
        }
    }

    private static boolean within(BigDecimal x, BigDecimal lo, boolean loEx, BigDecimal hi, boolean hiEx) {
        if (lo != null && (loEx ? x.compareTo(lo) <= 0 : x.compareTo(lo) < 0)) return false;
        return hi == null || (hiEx ? x.compareTo(hi) < 0 : x.compareTo(hi) <= 0);
    }

    private static BigDecimal randomDecimal(Random rng) {
        long whole = switch (rng.nextInt(3)) {
            case 0 -> rng.nextInt(10);
            case 1 -> rng.nextInt(1000);
            default -> rng.nextLong(1_000_000_000L);
        };
        BigDecimal v = BigDecimal.valueOf(whole);
        if (rng.nextBoolean()) v = v.add(BigDecimal.valueOf(rng.nextInt(10_000), 1 + rng.nextInt(4)));
        return rng.nextBoolean() ? v.negate() : v;
    }

    /** Strings at and around the bounds, where mistakes hide, including non-canonical spellings. */
    private static String near(Random rng, BigDecimal lo, BigDecimal hi) {
        BigDecimal base = rng.nextBoolean() && lo != null ? lo : hi != null ? hi : BigDecimal.ZERO;
        BigDecimal delta = BigDecimal.valueOf(rng.nextInt(3) - 1, rng.nextInt(4));
        String s = base.add(delta).toPlainString();
        return switch (rng.nextInt(6)) {
            case 0 -> s + "0";
            case 1 -> s.startsWith("-") ? s : "0" + s;
            case 2 -> base.stripTrailingZeros().toPlainString();
            default -> s;
        };
    }
}
