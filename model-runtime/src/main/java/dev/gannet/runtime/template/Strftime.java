package dev.gannet.runtime.template;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * C's strftime in the C locale, as Python's {@code datetime.now().strftime} gives it on Linux (a naive local
 * time: {@code %z} and {@code %Z} are empty), for templates' {@code strftime_now("%d %b %Y")}; glibc's {@code -}
 * (no padding) and {@code _} (space padding) flags too.
 */
final class Strftime {
    private Strftime() {}

    static String format(ZonedDateTime t, String fmt) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                b.append(c);
                continue;
            }
            char flag = 0;
            char d = fmt.charAt(++i);
            if ((d == '-' || d == '_' || d == '0') && i + 1 < fmt.length()) {
                flag = d;
                d = fmt.charAt(++i);
            }
            b.append(directive(t, d, flag));
        }
        return b.toString();
    }

    private static String directive(ZonedDateTime t, char d, char flag) {
        return switch (d) {
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'c' -> format(t, "%a %b %e %H:%M:%S %Y");
            case 'C' -> num(t.getYear() / 100, 2, flag);
            case 'd' -> num(t.getDayOfMonth(), 2, flag);
            case 'D' -> format(t, "%m/%d/%y");
            case 'e' -> num(t.getDayOfMonth(), 2, flag == 0 ? '_' : flag);
            case 'F' -> format(t, "%Y-%m-%d");
            case 'H' -> num(t.getHour(), 2, flag);
            case 'I' -> num(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, flag);
            case 'j' -> num(t.getDayOfYear(), 3, flag);
            case 'k' -> num(t.getHour(), 2, flag == 0 ? '_' : flag);
            case 'l' -> num(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, flag == 0 ? '_' : flag);
            case 'm' -> num(t.getMonthValue(), 2, flag);
            case 'M' -> num(t.getMinute(), 2, flag);
            case 'n' -> "\n";
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'P' -> t.getHour() < 12 ? "am" : "pm";
            case 'R' -> format(t, "%H:%M");
            case 'S' -> num(t.getSecond(), 2, flag);
            case 't' -> "\t";
            case 'T' -> format(t, "%H:%M:%S");
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'x' -> format(t, "%m/%d/%y");
            case 'X' -> format(t, "%H:%M:%S");
            case 'y' -> num(t.getYear() % 100, 2, flag);
            case 'Y' -> Integer.toString(t.getYear());
            case 'G' -> Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
            case 'V' -> num(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, flag);
            case 'U' -> num((t.getDayOfYear() + 6 - t.getDayOfWeek().getValue() % 7) / 7, 2, flag);
            case 'W' -> num((t.getDayOfYear() + 6 - (t.getDayOfWeek().getValue() + 6) % 7) / 7, 2, flag);
            case 'z', 'Z' -> ""; // datetime.now() is naive: no zone to print
            case 's' -> Long.toString(t.toEpochSecond());
            case 'f' -> num(t.get(ChronoField.MICRO_OF_SECOND), 6, flag);
            case '%' -> "%";
            default -> "%" + (flag != 0 ? String.valueOf(flag) : "") + d;
        };
    }

    private static String num(int v, int width, char flag) {
        String s = Integer.toString(v);
        if (flag == '-' || s.length() >= width) return s;
        return String.valueOf(flag == '_' ? ' ' : '0').repeat(width - s.length()) + s;
    }
}
