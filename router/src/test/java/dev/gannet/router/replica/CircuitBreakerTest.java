package dev.gannet.router.replica;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private static final long S = 1_000_000_000L;

    @Test
    void opensAfterThresholdConsecutiveFailuresAndASuccessResetsTheCount() {
        CircuitBreaker b = new CircuitBreaker(3, Duration.ofSeconds(10));
        assertFalse(b.onFailure(0));
        assertFalse(b.onFailure(0));
        b.onSuccess();
        assertFalse(b.onFailure(0));
        assertFalse(b.onFailure(0));
        assertTrue(b.onFailure(0), "third failure in a row ejects");
        assertEquals(CircuitBreaker.State.OPEN, b.state(5 * S));
        assertFalse(b.permits(5 * S));
        assertFalse(b.onFailure(6 * S), "late failures of requests sent before do not eject again");
    }

    @Test
    void halfOpenLetsOneTrialThroughAndItsOutcomeDecides() {
        CircuitBreaker b = new CircuitBreaker(1, Duration.ofSeconds(10));
        assertTrue(b.onFailure(0));
        assertEquals(CircuitBreaker.State.HALF_OPEN, b.state(10 * S));
        assertTrue(b.permits(10 * S));
        b.onDispatch(10 * S);
        assertFalse(b.permits(10 * S), "one trial at a time");
        b.onSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, b.state(10 * S));
        assertTrue(b.permits(10 * S));
    }

    @Test
    void aFailedTrialOpensAgainForTwiceAsLongUpToEightTimes() {
        CircuitBreaker b = new CircuitBreaker(1, Duration.ofSeconds(10));
        long now = 0;
        long[] expected = {10, 20, 40, 80, 80};
        for (long wait : expected) {
            assertTrue(b.onFailure(now));
            assertEquals(CircuitBreaker.State.OPEN, b.state(now + wait * S - 1));
            assertEquals(CircuitBreaker.State.HALF_OPEN, b.state(now + wait * S));
            now += wait * S;
            b.onDispatch(now);
        }
    }

    @Test
    void aCancelledTrialFreesTheSlot() {
        CircuitBreaker b = new CircuitBreaker(1, Duration.ofSeconds(1));
        b.onFailure(0);
        b.onDispatch(S);
        assertFalse(b.permits(S));
        b.onCancel();
        assertTrue(b.permits(S));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(1, Duration.ZERO));
    }
}
