package dev.gannet.runtime.constraint;

import java.util.Map;

/** The string formats a JSON Schema may name, as regular expressions of their (strictest) valid forms. */
final class JsonSchemaFormats {
    private static final String DATE = "\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])"
            + "|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))";
    private static final String TIME = "(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,6})?(?:Z|[+-](?:0\\d|1[0-4]):[0-5]\\d)";

    /**
     * Format name to pattern: a strict subset of each format, so every match passes any validator. {@code date}
     * leaves out 29 February (leap years are not worth a regular language), times use offsets up to 14 hours, and
     * {@code email} is lower-case dot-atoms
     * under a few common top-level domains (validators check the domain against IANA's list).
     */
    static final Map<String, String> PATTERNS = Map.of(
            "date", DATE,
            "time", TIME,
            "date-time", DATE + "T" + TIME,
            "uuid", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "email", "[a-z0-9]{1,20}(?:[._+-][a-z0-9]{1,20}){0,2}@[a-z0-9]{1,20}(?:-[a-z0-9]{1,20})?"
                    + "(?:\\.[a-z0-9]{1,20}(?:-[a-z0-9]{1,20})?){0,2}\\.(?:com|org|net|io|dev|edu)",
            "ipv4", "(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private JsonSchemaFormats() {}
}
