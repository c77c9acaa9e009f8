package dev.gannet.router;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The router's bearer-key check, in front of every replica. Keys are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual} (constant time, equal lengths) against every configured key, no early exit.
 */
final class ApiKeys {
    private final byte[][] digests;

    ApiKeys(List<String> keys) {
        digests = new byte[keys.size()][];
        for (int i = 0; i < keys.size(); i++) digests[i] = sha256(keys.get(i));
    }

    boolean enabled() {
        return digests.length > 0;
    }

    /** True when no keys are configured, or the header is {@code Bearer <a configured key>}. */
    boolean accepts(String authorization) {
        if (digests.length == 0) return true;
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] presented = sha256(authorization.substring(7).trim());
        boolean match = false;
        for (byte[] d : digests) match |= MessageDigest.isEqual(d, presented);
        return match;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
