package dev.gannet.router.policy;

import dev.gannet.router.replica.Replica;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A consistent-hash ring: each replica owns {@code vnodes} points, a key belongs to the first point at or
 * after its hash. Adding or removing one of N replicas moves about 1/N of the keys. Immutable; built
 * from the full replica list (not only the available ones) so that a replica's short absence does not
 * reshuffle everyone else's keys.
 */
final class HashRing {
    static final int DEFAULT_VNODES = 160;

    private final List<Replica> members;
    private final long[] points;    // sorted
    private final int[] owners;     // members.get(owners[i]) owns points[i]

    HashRing(List<Replica> members, int vnodes) {
        this.members = members;
        int n = members.size() * vnodes;
        long[][] pairs = new long[n][];
        int k = 0;
        for (int m = 0; m < members.size(); m++) {
            String id = members.get(m).id();
            for (int v = 0; v < vnodes; v++) pairs[k++] = new long[] {hash64(id + "#" + v), m};
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        points = new long[n];
        owners = new int[n];
        for (int i = 0; i < n; i++) {
            points[i] = pairs[i][0];
            owners[i] = (int) pairs[i][1];
        }
    }

    /** The list this ring was built from (identity is how callers know it is current). */
    List<Replica> members() {
        return members;
    }

    /** The first replica clockwise from {@code hash} that {@code accept} takes, or null if it takes none. */
    Replica first(long hash, Predicate<Replica> accept) {
        if (points.length == 0) return null;
        int i = Arrays.binarySearch(points, hash);
        if (i < 0) i = -i - 1;
        boolean[] asked = new boolean[members.size()];
        int distinct = 0;
        for (int step = 0; step < points.length && distinct < asked.length; step++) {
            int m = owners[(i + step) % points.length];
            if (asked[m]) continue;
            asked[m] = true;
            distinct++;
            if (accept.test(members.get(m))) return members.get(m);
        }
        return null;
    }

    /** 64-bit FNV-1a with a final avalanche mix (splitmix64's): cheap and well spread; not a security hash. */
    static long hash64(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }
}
