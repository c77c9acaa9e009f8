package dev.gannet.server.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenizeBudgetTest {
    @Test
    void textsShareTheBudgetAndAnOversizedOneRunsOnlyAlone() {
        TokenizeBudget b = new TokenizeBudget(100);
        assertTrue(b.tryAcquire(60));
        assertTrue(b.tryAcquire(40));
        assertFalse(b.tryAcquire(1), "full");
        b.release(60);
        assertFalse(b.tryAcquire(61));
        assertTrue(b.tryAcquire(60));
        b.release(60);
        b.release(40);
        assertTrue(b.tryAcquire(500), "larger than the budget, but alone");
        assertFalse(b.tryAcquire(1));
        b.release(500);
        assertTrue(b.tryAcquire(1));
    }
}
