package dev.gannet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.FuzzChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for what fuzzing the GGUF reader found (GgufFileFuzzTest): each hostile file is a
 * GgufException naming the problem, and none allocates the size it declares.
 */
class GgufHostileFilesTest {
    @TempDir Path dir;

    @Test
    void aStringArrayClaimingTwoBillionEntriesIsRefusedBeforeItsListIsAllocated() throws IOException {
        // was an ArrayList of 2^31 - 1 slots (16 GiB) sized from the count, then OutOfMemoryError
        byte[] b = new GgufBytes(0, 1).str("tokenizer.ggml.tokens").u32(9).u32(8).u64(Integer.MAX_VALUE).str("a").bytes();
        assertRefused(b, "truncated while reading array tokenizer.ggml.tokens");
    }

    @Test
    void anArrayOfArraysClaimingTwoBillionEntriesIsRefused() throws IOException {
        byte[] b = new GgufBytes(0, 1).str("k").u32(9).u32(9).u64(Integer.MAX_VALUE).u32(8).u64(0).bytes();
        assertRefused(b, "truncated while reading array k");
    }

    @Test
    void arraysNestedDeeperThanAnyModelFileAreRefused() throws IOException {
        // each level recursed: a few hundred KB of nesting was a StackOverflowError
        GgufBytes g = new GgufBytes(0, 1).str("deep").u32(9);
        for (int i = 0; i < 20; i++) g.u32(9).u64(1);
        assertRefused(g.u32(4).u64(0).bytes(), "deep: arrays nested deeper than 8");
    }

    @Test
    void aTensorOffsetNearTwoToTheSixtyThreeIsRefused() throws IOException {
        // start + size overflowed to a negative number, passed the bounds check, and asSlice threw IndexOutOfBoundsException
        byte[] b = new GgufBytes(1, 0).tensor("t", 0, Long.MAX_VALUE - 31, 8).align().zeros(32).bytes();
        assertRefused(b, "tensor t: 32 bytes at data offset " + (Long.MAX_VALUE - 31) + " end past the file");
    }

    @Test
    void aShapeWhoseElementCountOverflowsIsRefused() throws IOException {
        // 2^32 x 2^32 elements wrapped to 0 and was accepted as an empty tensor
        byte[] b = new GgufBytes(1, 0).tensor("t", 0, 0, 1L << 32, 1L << 32).align().bytes();
        assertRefused(b, "tensor t: shape [4294967296, 4294967296] has too many elements");
    }

    private void assertRefused(byte[] bytes, String expected) throws IOException {
        Path f = Files.write(dir.resolve("hostile.gguf"), bytes);
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(f).close());
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected), e.getMessage());
        FuzzChecks.check(f, bytes.length, () -> GgufFile.open(f).close()); // and within the allocation bound
    }
}
