package dev.gannet.loadtest;

import java.util.SplittableRandom;

/**
 * A length in tokens: fixed ({@code 256}), uniform ({@code uniform:64-512}, both ends included)
 * or normal ({@code normal:256,64}: mean, standard deviation; clamped to at least 1).
 */
public record LengthSpec(Kind kind, double a, double b) {

    public enum Kind { FIXED, UNIFORM, NORMAL }

    public LengthSpec {
        if (kind == null) {
            throw new IllegalArgumentException("length kind is null");
        }
        switch (kind) {
            case FIXED -> require(a >= 1, "a fixed length must be >= 1, got " + fmt(a));
            case UNIFORM -> require(a >= 1 && b >= a, "uniform:LO-HI needs 1 <= LO <= HI, got " + fmt(a) + "-" + fmt(b));
            case NORMAL -> require(a >= 1 && b >= 0, "normal:MEAN,SD needs MEAN >= 1 and SD >= 0, got " + fmt(a) + "," + fmt(b));
        }
    }

    public static LengthSpec fixed(int n) {
        return new LengthSpec(Kind.FIXED, n, 0);
    }

    /** Parses {@code N}, {@code uniform:LO-HI} or {@code normal:MEAN,SD}. */
    public static LengthSpec parse(String text) {
        String t = text == null ? "" : text.trim();
        try {
            if (t.startsWith("uniform:")) {
                String[] p = t.substring("uniform:".length()).split("-", -1);
                require(p.length == 2, "expected uniform:LO-HI, got '" + t + "'");
                return new LengthSpec(Kind.UNIFORM, Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
            }
            if (t.startsWith("normal:")) {
                String[] p = t.substring("normal:".length()).split(",", -1);
                require(p.length == 2, "expected normal:MEAN,SD, got '" + t + "'");
                return new LengthSpec(Kind.NORMAL, Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()));
            }
            return new LengthSpec(Kind.FIXED, Integer.parseInt(t), 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "bad length '" + t + "': expected N, uniform:LO-HI or normal:MEAN,SD", e);
        }
    }

    /** Draws one length (>= 1) from the distribution. */
    public int sample(SplittableRandom rnd) {
        return switch (kind) {
            case FIXED -> (int) a;
            case UNIFORM -> rnd.nextInt((int) a, (int) b + 1);
            case NORMAL -> (int) Math.max(1, Math.round(a + b * gaussian(rnd)));
        };
    }

    public double mean() {
        return switch (kind) {
            case FIXED, NORMAL -> a;
            case UNIFORM -> (a + b) / 2;
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case FIXED -> fmt(a);
            case UNIFORM -> "uniform:" + fmt(a) + "-" + fmt(b);
            case NORMAL -> "normal:" + fmt(a) + "," + fmt(b);
        };
    }

    /** Box-Muller: SplittableRandom has no nextGaussian that is stable across JDKs. */
    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
