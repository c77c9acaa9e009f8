package dev.gannet.router.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gannet.router.replica.Replica;
import dev.gannet.router.replica.ReplicaSet;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The four policies, built by {@link #create}. */
public final class Policies {
    private Policies() {}

    /**
     * Settings the policies read.
     *
     * @param prefixBalance  bounded-load factor c of the prefix policy: a replica takes a prefix's request
     *                       only while it has fewer than c x (the average outstanding + 1); c >= 1
     * @param affinitySize   entries of the prefix affinity table
     * @param affinityTtl    an entry unused this long is forgotten (its KV has likely been evicted)
     */
    public record Settings(double prefixBalance, long affinitySize, Duration affinityTtl) {
        public Settings {
            if (!(prefixBalance >= 1)) throw new IllegalArgumentException("prefix balance must be >= 1, got " + prefixBalance);
            if (affinitySize < 1) throw new IllegalArgumentException("affinity size must be >= 1");
            if (affinityTtl.isNegative() || affinityTtl.isZero()) throw new IllegalArgumentException("affinity ttl must be > 0");
        }
    }

    public static RoutingPolicy create(PolicyKind kind, ReplicaSet replicas, Settings s) {
        return switch (kind) {
            case LEAST_LOAD -> new LeastLoad();
            case ROUND_ROBIN -> new RoundRobin();
            case PREFIX -> new Prefix(replicas, s);
            case SESSION -> new Session(replicas);
        };
    }

    /**
     * The load the router sees at a replica: its own outstanding requests, the replica's reported waiting
     * queue and KV cache usage (a full cache counts as one more request), and its outstanding tokens (4,096
     * estimated tokens count as one request, so long requests weigh more).
     */
    public static double load(Replica r) {
        return r.outstanding() + r.waiting() + r.kvUsage() + r.outstandingTokens() / 4096.0;
    }

    /** Least load; ties go round-robin so that an idle pool is used evenly. */
    static final class LeastLoad implements RoutingPolicy {
        private final AtomicLong turn = new AtomicLong();

        @Override
        public Replica choose(RequestFacts facts, List<Replica> candidates) {
            int n = candidates.size();
            int start = (int) Math.floorMod(turn.getAndIncrement(), (long) n);
            Replica best = null;
            double bestLoad = Double.MAX_VALUE;
            for (int k = 0; k < n; k++) {
                Replica r = candidates.get((start + k) % n);
                double l = load(r);
                if (l < bestLoad) {
                    best = r;
                    bestLoad = l;
                }
            }
            return best;
        }
    }

    static final class RoundRobin implements RoutingPolicy {
        private final AtomicLong turn = new AtomicLong();

        @Override
        public Replica choose(RequestFacts facts, List<Replica> candidates) {
            return candidates.get((int) Math.floorMod(turn.getAndIncrement(), (long) candidates.size()));
        }
    }

    /** Builds the ring again only when the replica list changed (the snapshot is a new list). */
    abstract static class RingPolicy implements RoutingPolicy {
        private final ReplicaSet replicas;
        private volatile HashRing ring = new HashRing(List.of(), HashRing.DEFAULT_VNODES);

        RingPolicy(ReplicaSet replicas) {
            this.replicas = replicas;
        }

        HashRing ring() {
            List<Replica> all = replicas.all();
            HashRing r = ring;
            if (r.members() != all) {
                r = new HashRing(all, HashRing.DEFAULT_VNODES);
                ring = r;
            }
            return r;
        }
    }

    /**
     * Prefix affinity, as SGLang's router does it: requests whose first characters agree go to the prefix's
     * home replica (its KV is cached there), found on a consistent-hash ring the first time and kept in the
     * affinity table. Bounded load (Mirrokni et al.): while the home has c x (average + 1) outstanding
     * requests, a request spills to the next replica on the ring; the prefix keeps its home, whose cache is
     * still warm. Only a home that is gone (down, ejected, removed) moves the prefix for good.
     */
    static final class Prefix extends RingPolicy {
        private final double balance;
        private final Cache<Long, String> affinity;
        private final LeastLoad fallback = new LeastLoad();

        Prefix(ReplicaSet replicas, Settings s) {
            super(replicas);
            this.balance = s.prefixBalance();
            this.affinity = Caffeine.newBuilder().maximumSize(s.affinitySize()).expireAfterAccess(s.affinityTtl()).build();
        }

        @Override
        public Replica choose(RequestFacts facts, List<Replica> candidates) {
            if (facts.prefix().isEmpty()) return fallback.choose(facts, candidates);
            long key = HashRing.hash64(facts.prefix());
            long total = 0;
            for (Replica r : candidates) total += r.outstanding();
            double bound = Math.ceil(balance * (total + 1) / candidates.size());
            String remembered = affinity.getIfPresent(key);
            boolean homeAvailable = false;
            if (remembered != null) {
                for (Replica r : candidates) {
                    if (!r.id().equals(remembered)) continue;
                    if (r.outstanding() < bound) return r;
                    homeAvailable = true;  // only busy: this request spills, the prefix keeps its home
                }
            }
            Replica chosen = ring().first(key, r -> candidates.contains(r) && r.outstanding() < bound);
            if (chosen == null) chosen = fallback.choose(facts, candidates);
            if (!homeAvailable) affinity.put(key, chosen.id());
            return chosen;
        }

        long affinityEntries() {
            affinity.cleanUp();
            return affinity.estimatedSize();
        }
    }

    /** Sticky sessions: the session key's place on the ring, skipping replicas that cannot take it now. */
    static final class Session extends RingPolicy {
        private final LeastLoad fallback = new LeastLoad();

        Session(ReplicaSet replicas) {
            super(replicas);
        }

        @Override
        public Replica choose(RequestFacts facts, List<Replica> candidates) {
            if (facts.session() == null) return fallback.choose(facts, candidates);
            Replica r = ring().first(HashRing.hash64(facts.session()), candidates::contains);
            return r != null ? r : fallback.choose(facts, candidates);
        }
    }
}
