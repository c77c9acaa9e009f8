package dev.gannet.server.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Bearer-key check. Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}
 * (constant time, and equal length so the key length does not leak), against every configured
 * key without an early exit.
 */
public final class ApiKeyAuth {
    private final byte[][] keyDigests;

    public ApiKeyAuth(List<String> keys) {
        keyDigests = new byte[keys.size()][];
        for (int i = 0; i < keys.size(); i++) {
            keyDigests[i] = sha256(keys.get(i));
        }
    }

    public boolean enabled() {
        return keyDigests.length > 0;
    }

    /** True when keys are off, or the header is {@code Bearer <a configured key>}. */
    public boolean accepts(String authorizationHeader) {
        if (keyDigests.length == 0) {
            return true;
        }
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = sha256(authorizationHeader.substring(7).trim());
        boolean match = false;
        for (byte[] key : keyDigests) {
            match |= MessageDigest.isEqual(key, presented);
        }
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
