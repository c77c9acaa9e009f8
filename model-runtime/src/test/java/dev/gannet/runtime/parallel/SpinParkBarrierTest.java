package dev.gannet.runtime.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class SpinParkBarrierTest {

    /**
     * Many rounds with uneven arrival and oversubscribed cores: catches a lost wake-up (a late releaser of one
     * round clearing a party's registration for the next), which shows up as a hang.
     */
    @Test
    void noPartyIsLeftBehindOverManyRounds() throws InterruptedException {
        int parties = 4;
        int rounds = 20_000;
        SpinParkBarrier b = new SpinParkBarrier(parties, 0);
        AtomicIntegerArray seen = new AtomicIntegerArray(rounds);
        Thread[] threads = new Thread[parties];
        for (int p = 0; p < parties; p++) {
            int party = p;
            threads[p] = new Thread(() -> {
                for (int r = 0; r < rounds; r++) {
                    seen.incrementAndGet(r);
                    if ((r + party) % 5 == 0) Thread.yield();
                    b.await(party);
                    // Every party of round r arrived before any leaves it.
                    if (seen.get(r) != parties) throw new AssertionError("round " + r + ": " + seen.get(r) + " arrivals");
                }
            });
            threads[p].setDaemon(true);
            threads[p].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
            if (t.isAlive()) {
                b.abort(new AssertionError("hang"));
                throw new AssertionError("a party is still waiting after 60 s: lost wake-up");
            }
        }
        for (int r = 0; r < rounds; r++) assertEquals(parties, seen.get(r));
    }

    @Test
    void abortedBarrierThrowsUntilReset() {
        SpinParkBarrier b = new SpinParkBarrier(1, 0);
        b.await(0);
        b.abort(new RuntimeException("boom"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.await(0));
        assertEquals("tensor-parallel group aborted: java.lang.RuntimeException: boom", e.getMessage());
        b.reset();
        b.await(0);
    }
}
