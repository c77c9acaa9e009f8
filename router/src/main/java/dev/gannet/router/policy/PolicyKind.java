package dev.gannet.router.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The routing policies, by their command-line names. */
public enum PolicyKind {
    LEAST_LOAD("least-load"),
    PREFIX("prefix"),
    SESSION("session"),
    ROUND_ROBIN("round-robin");

    private final String wireName;

    PolicyKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static PolicyKind parse(String s) {
        for (PolicyKind k : values()) {
            if (k.wireName.equals(s.toLowerCase(Locale.ROOT))) return k;
        }
        throw new IllegalArgumentException("policy " + s + ": use one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(PolicyKind::wireName).collect(Collectors.joining(", "));
    }
}
