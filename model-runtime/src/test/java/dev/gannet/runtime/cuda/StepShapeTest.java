package dev.gannet.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.model.ForwardBatch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** CPU-only: how a step's inputs are laid out in the one region copied to the device, and how a graph step is padded. */
class StepShapeTest {
    private static final int BS = 4;

    /** Two decode sequences (contexts 6 and 3) then a prefill chunk of 3 tokens at positions 2..4. */
    private static ForwardBatch mixed() {
        int[][] tables = {{7, 2}, {5}, {9, 1}};
        return new ForwardBatch(new int[] {11, 12, 13, 14, 15}, new int[] {5, 2, 2, 3, 4}, new int[] {0, 1, 2, 5},
                new int[] {6, 3, 5}, tables, BS, new int[] {2 * BS + 1, 5 * BS + 2, 9 * BS + 2, 9 * BS + 3, BS}, new int[] {0, 1, 4});
    }

    @Test
    void aMixedBatchSendsItsLeadingOneTokenSequencesToTheDecodeKernel() {
        StepShape s = StepShape.of(mixed());
        assertEquals(new StepShape(5, 3, 3, 2, 2, 3, 6), s);
        assertFalse(StepShape.decodeOnly(mixed()));
    }

    @Test
    void inputsAreLaidOutBackToBack() {
        ForwardBatch b = mixed();
        StepShape s = StepShape.of(b);
        int[] got = write(b, s);
        assertEquals(3 * 5 + 2 * 3 + 1 + 3 + 3 * 2, got.length);
        assertArrayEquals(b.tokens(), Arrays.copyOfRange(got, 0, 5));
        assertArrayEquals(b.positions(), Arrays.copyOfRange(got, s.positionsAt(), s.positionsAt() + 5));
        assertArrayEquals(b.slotMapping(), Arrays.copyOfRange(got, s.slotsAt(), s.slotsAt() + 5));
        assertArrayEquals(b.cuSeqlens(), Arrays.copyOfRange(got, s.cuSeqlensAt(), s.cuSeqlensAt() + 4));
        assertArrayEquals(b.contextLens(), Arrays.copyOfRange(got, s.contextLensAt(), s.contextLensAt() + 3));
        assertArrayEquals(b.logitIndices(), Arrays.copyOfRange(got, s.logitRowsAt(), s.logitRowsAt() + 3));
        assertArrayEquals(new int[] {7, 2}, Arrays.copyOfRange(got, s.tablesAt(), s.tablesAt() + 2));
        assertEquals(5, got[s.tablesAt() + 2]); // one block used of a width of 2
        assertArrayEquals(new int[] {9, 1}, Arrays.copyOfRange(got, s.tablesAt() + 4, s.tablesAt() + 6));
    }

    @Test
    void aGraphStepIsPaddedWithSequencesThatWriteNothing() {
        ForwardBatch b = new ForwardBatch(new int[] {3, 4, 5}, new int[] {9, 0, 17}, new int[] {0, 1, 2, 3}, new int[] {10, 1, 18},
                new int[][] {{1, 2, 3}, {4}, {5, 6, 7, 8, 9}}, BS, new int[] {3 * BS + 1, 4 * BS, 9 * BS + 1}, new int[] {0, 1, 2});
        assertTrue(StepShape.decodeOnly(b));
        StepShape g = StepShape.graph(4, 256, BS);
        assertEquals(new StepShape(4, 4, 4, 64, 4, 0, 256), g);
        int[] got = write(b, g);
        assertArrayEquals(new int[] {3, 4, 5, 0}, Arrays.copyOfRange(got, 0, 4));
        assertArrayEquals(new int[] {9, 0, 17, 0}, Arrays.copyOfRange(got, g.positionsAt(), g.positionsAt() + 4));
        assertArrayEquals(new int[] {3 * BS + 1, 4 * BS, 9 * BS + 1, -1}, Arrays.copyOfRange(got, g.slotsAt(), g.slotsAt() + 4));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Arrays.copyOfRange(got, g.cuSeqlensAt(), g.cuSeqlensAt() + 5));
        assertArrayEquals(new int[] {10, 1, 18, 1}, Arrays.copyOfRange(got, g.contextLensAt(), g.contextLensAt() + 4));
        assertArrayEquals(new int[] {0, 1, 2, 3}, Arrays.copyOfRange(got, g.logitRowsAt(), g.logitRowsAt() + 4));
        assertArrayEquals(new int[] {5, 6, 7, 8, 9}, Arrays.copyOfRange(got, g.tablesAt() + 2 * 64, g.tablesAt() + 2 * 64 + 5));
        assertEquals(0, got[g.tablesAt() + 3 * 64]); // the padded sequence reads the null block
    }

    @Test
    void aBatchTooBigForTheShapeIsRefused() {
        StepShape small = StepShape.graph(2, 256, BS);
        ForwardBatch b = mixed();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(4096);
            assertThrows(IllegalArgumentException.class, () -> small.write(b, m));
        }
    }

    private static int[] write(ForwardBatch b, StepShape s) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(s.ints() * 4);
            s.write(b, m);
            return m.toArray(ValueLayout.JAVA_INT);
        }
    }
}
