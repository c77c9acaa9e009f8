package dev.gannet.server.common;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the text being tokenized at once, across every connection and protocol: tokenizing a few megabytes costs
 * seconds of CPU and far more memory than the text, so a handful of clients sending huge bodies could otherwise take
 * the heap and the worker threads. A request whose text does not fit the budget now is told to retry (429).
 */
public final class TokenizeBudget {
    private final long maxChars;
    private final AtomicLong inUse = new AtomicLong();

    /** @param maxChars characters that may be in tokenization at once */
    public TokenizeBudget(long maxChars) {
        if (maxChars < 1) throw new IllegalArgumentException("tokenize budget must be >= 1 character, got " + maxChars);
        this.maxChars = maxChars;
    }

    /** Takes {@code chars} from the budget; false (nothing taken) when that would exceed it. */
    public boolean tryAcquire(long chars) {
        while (true) {
            long now = inUse.get();
            // one text larger than the whole budget may still run alone, so no request is refused forever
            if (now > 0 && now + chars > maxChars) return false;
            if (inUse.compareAndSet(now, now + chars)) return true;
        }
    }

    public void release(long chars) {
        inUse.addAndGet(-chars);
    }

    public long maxChars() {
        return maxChars;
    }
}
