package dev.gannet.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Chained content hash of one full KV block: SHA-256 over (parent hash, extra key, token ids),
 * truncated to 128 bits and returned as two longs.
 *
 * <p>Why SHA-256 rather than a fast non-cryptographic hash: prefix-cache entries are shared
 * across requests (and possibly tenants), so a crafted collision would let one request read KV
 * computed for another prompt. 128 bits keeps birthday collisions out of reach; the cache also
 * verifies the block's own tokens and extra key on every hit. Cost: one digest per 16 tokens,
 * computed once per block (about a microsecond), never per generated token.
 *
 * <p>Not thread-safe (reuses its digest and scratch buffer): one per {@link KvCacheManager}.
 */
final class BlockHasher {
    /** Parent hash of a sequence's first block. */
    static final long ROOT_HI = 0x6761_6e6e_6574_6b76L; // "gannetkv"
    static final long ROOT_LO = 0L;

    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final int blockSize;
    private final MessageDigest sha256;
    private final byte[] input;  // (24 + 4 * blockSize) bytes: parentHi, parentLo, extraKey, tokens
    private final byte[] digest = new byte[32];

    BlockHasher(int blockSize) {
        this.blockSize = blockSize;
        this.input = new byte[24 + 4 * blockSize];
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /**
     * Hashes {@code tokens[off .. off + blockSize)} chained to the parent hash and writes the
     * 128-bit result to {@code dst[2 * index]} (high) and {@code dst[2 * index + 1]} (low).
     */
    void hash(long parentHi, long parentLo, long extraKey, int[] tokens, int off, long[] dst, int index) {
        LONG_BE.set(input, 0, parentHi);
        LONG_BE.set(input, 8, parentLo);
        LONG_BE.set(input, 16, extraKey);
        for (int i = 0; i < blockSize; i++) {
            INT_BE.set(input, 24 + 4 * i, tokens[off + i]);
        }
        sha256.update(input, 0, input.length);
        try {
            sha256.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 digest into a 32-byte buffer failed", e);
        }
        dst[2 * index] = (long) LONG_BE.get(digest, 0);
        dst[2 * index + 1] = (long) LONG_BE.get(digest, 8);
    }
}
