package dev.gannet.server.common;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The generation requests in progress (HTTP and gRPC), and the drain state. Thread-safe: HTTP
 * and gRPC handlers may run on different event loops.
 */
public final class Inflight {
    /** Something in progress that can be cut short. */
    public interface Abortable {
        void abort();
    }

    private final Set<Abortable> active = ConcurrentHashMap.newKeySet();
    private final Promise<Void> drained = Promise.promise();
    private volatile boolean draining;
    private final Object lock = new Object(); // orders tryAdd against the start of a drain

    public boolean draining() {
        return draining;
    }

    public int size() {
        return active.size();
    }

    /**
     * Registers work unless a drain has begun (then answer 503). Call it before submitting to the
     * backend: a request that passed an earlier draining check could otherwise start after the drain
     * found nothing in flight and the server closed under it.
     */
    public boolean tryAdd(Abortable a) {
        synchronized (lock) {
            if (draining) {
                return false;
            }
            active.add(a);
            return true;
        }
    }

    public void remove(Abortable a) {
        if (active.remove(a) && draining && active.isEmpty()) {
            drained.tryComplete();
        }
    }

    /**
     * Stops admitting, lets in-flight work finish for up to {@code timeout}, then aborts the rest;
     * the future completes once nothing is in flight (or a second after the abort at the latest).
     */
    public Future<Void> drain(Vertx vertx, Duration timeout) {
        boolean first;
        boolean empty;
        synchronized (lock) {
            first = !draining;
            draining = true;
            empty = active.isEmpty();
        }
        if (first) {
            if (empty) {
                drained.tryComplete();
            } else {
                vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
                    for (Abortable a : active) {
                        a.abort();
                    }
                    // aborted sequences report back within an engine step; don't wait forever
                    vertx.setTimer(1000, t2 -> drained.tryComplete());
                });
            }
        }
        return drained.future();
    }
}
