package dev.gannet.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreeBlockQueueTest {

    private static int[] contents(FreeBlockQueue q) {
        int[] out = new int[q.size()];
        q.copyTo(out);
        return out;
    }

    @Test
    void keepsInsertionOrderAndRemovesFromTheMiddle() {
        FreeBlockQueue q = new FreeBlockQueue(8);
        for (int b : new int[] {3, 1, 7, 5}) {
            q.addLast(b);
        }
        q.addFirst(6);
        assertArrayEquals(new int[] {6, 3, 1, 7, 5}, contents(q));
        q.remove(7);
        q.remove(6);
        assertArrayEquals(new int[] {3, 1, 5}, contents(q));
        assertFalse(q.contains(7));
        assertTrue(q.contains(1));
        assertEquals(3, q.pollHead());
        assertEquals(1, q.peekHead());
        q.addLast(7);
        assertArrayEquals(new int[] {1, 5, 7}, contents(q));
        assertEquals(3, q.size());
    }

    @Test
    void rejectsDoubleInsertAndMissingRemove() {
        FreeBlockQueue q = new FreeBlockQueue(4);
        q.addLast(2);
        assertThrows(IllegalStateException.class, () -> q.addFirst(2));
        assertThrows(IllegalStateException.class, () -> q.remove(3));
        assertThrows(IllegalArgumentException.class, () -> q.addLast(4));
        q.pollHead();
        assertThrows(IllegalStateException.class, q::pollHead);
        assertEquals(-1, q.peekHead());
        assertEquals(0, Arrays.stream(contents(q)).count());
    }
}
