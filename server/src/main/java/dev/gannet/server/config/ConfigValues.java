package dev.gannet.server.config;

import dev.gannet.runtime.engine.EngineConfig;
import dev.gannet.runtime.backend.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for each {@link ConfigKey.Kind}; every failure names the key, the value and what is allowed. */
final class ConfigValues {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kKmMgGtT]i?[bB]?|[bB])?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private ConfigValues() {}

    static ConfigException bad(ConfigKey key, String value, String source) {
        return new ConfigException(source + ": " + key.yamlName() + " = '" + value + "' is not allowed: expected "
                + key.kind().allowed());
    }

    static int integer(ConfigKey key, String v, String source, long min, long max) throws ConfigException {
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) throw bad(key, v, source);
            return (int) n;
        } catch (NumberFormatException e) {
            throw bad(key, v, source);
        }
    }

    /** "auto", "0"/"off" or whole milliseconds (1 .. 1 hour), as nanoseconds or EngineConfig's markers. */
    static long stepBudget(ConfigKey key, String v, String source) throws ConfigException {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("auto")) return EngineConfig.STEP_BUDGET_AUTO;
        if (t.equals("off")) return EngineConfig.STEP_BUDGET_OFF;
        return integer(key, t.endsWith("ms") ? t.substring(0, t.length() - 2) : t, source, 0, 3_600_000) * 1_000_000L;
    }

    static boolean bool(ConfigKey key, String v, String source) throws ConfigException {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw bad(key, v, source);
        };
    }

    static long size(ConfigKey key, String v, String source) throws ConfigException {
        Matcher m = SIZE.matcher(v.trim());
        if (!m.matches()) throw bad(key, v, source);
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long mult = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1L;
        };
        double bytes = n * mult;
        if (bytes < 1 || bytes > Long.MAX_VALUE / 2) throw bad(key, v, source);
        return (long) bytes;
    }

    static Duration duration(ConfigKey key, String v, String source) throws ConfigException {
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches()) throw bad(key, v, source);
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw bad(key, v, source);
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) throw bad(key, v, source);
        return d;
    }

    /** A closed set of values: the enum constant whose name, lower-cased, is the value. */
    static double fraction(ConfigKey key, String v, String source) throws ConfigException {
        try {
            double f = Double.parseDouble(v.trim());
            if (!(f > 0 && f <= 1)) throw bad(key, v, source);
            return f;
        } catch (NumberFormatException e) {
            throw bad(key, v, source);
        }
    }

    static <E extends Enum<E>> E oneOf(ConfigKey key, String v, String source, Class<E> type) throws ConfigException {
        String t = v.trim().toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(t)) return e;
        }
        throw bad(key, v, source);
    }

    static Device device(ConfigKey key, String v, String source) throws ConfigException {
        try {
            return Device.parse(v);
        } catch (IllegalArgumentException e) {
            throw bad(key, v, source);
        }
    }

    static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) out.add(s.trim());
        }
        return List.copyOf(out);
    }
}
