package dev.gannet.router.replica;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The replicas the router knows: the union of what each source (flags, a file, a DNS name) lists now.
 * A replica that stays listed keeps its state across updates; one that leaves is marked removed (its
 * in-flight requests finish) and gets nothing new. Readers take an immutable snapshot; updates are rare
 * and synchronized.
 */
public final class ReplicaSet {
    private final Supplier<CircuitBreaker> breakers;
    private final Map<String, Set<URI>> bySource = new LinkedHashMap<>();
    private final Map<URI, Replica> byUri = new HashMap<>();
    private final List<Consumer<ReplicaChange>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Replica> snapshot = List.of();

    /** What one update changed; {@code all} is the new snapshot. */
    public record ReplicaChange(List<Replica> all, List<Replica> added, List<Replica> removed) {
        public ReplicaChange {
            all = List.copyOf(all);
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }
    }

    public ReplicaSet(Supplier<CircuitBreaker> breakers) {
        this.breakers = breakers;
    }

    /** Every replica currently listed, in a stable order (first listed first). */
    public List<Replica> all() {
        return snapshot;
    }

    /** The replicas that may take a request now. */
    public List<Replica> available(long nowNanos) {
        List<Replica> all = snapshot;
        List<Replica> out = new ArrayList<>(all.size());
        for (Replica r : all) {
            if (r.available(nowNanos)) out.add(r);
        }
        return out;
    }

    public void onChange(Consumer<ReplicaChange> listener) {
        listeners.add(listener);
    }

    /** Replaces what {@code source} lists; returns true when the set changed. */
    public boolean update(String source, Collection<URI> uris) {
        synchronized (this) {  // listeners run inside, so they see changes in order
            Set<URI> normalized = new LinkedHashSet<>();
            for (URI u : uris) normalized.add(Replica.normalize(u));
            Set<URI> before = bySource.put(source, normalized);
            if (normalized.equals(before)) return false;
            Set<URI> union = new LinkedHashSet<>();
            for (Set<URI> s : bySource.values()) union.addAll(s);
            List<Replica> next = new ArrayList<>();
            List<Replica> added = new ArrayList<>();
            for (URI u : union) {
                Replica r = byUri.get(u);
                if (r == null) {
                    r = new Replica(u, breakers.get());
                    byUri.put(u, r);
                    added.add(r);
                }
                next.add(r);
            }
            List<Replica> removed = new ArrayList<>();
            for (Replica r : snapshot) {
                if (!union.contains(r.uri())) {
                    r.markRemoved();
                    byUri.remove(r.uri());
                    removed.add(r);
                }
            }
            if (added.isEmpty() && removed.isEmpty()) return false;
            snapshot = List.copyOf(next);
            ReplicaChange change = new ReplicaChange(snapshot, added, removed);
            for (Consumer<ReplicaChange> l : listeners) l.accept(change);
            return true;
        }
    }
}
