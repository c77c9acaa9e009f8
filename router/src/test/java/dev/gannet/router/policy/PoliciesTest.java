package dev.gannet.router.policy;

import dev.gannet.router.replica.CircuitBreaker;
import dev.gannet.router.replica.Replica;
import dev.gannet.router.replica.ReplicaSet;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoliciesTest {
    private static final Policies.Settings SETTINGS = new Policies.Settings(1.25, 1000, Duration.ofMinutes(5));

    private static ReplicaSet replicas(int n) {
        ReplicaSet set = new ReplicaSet(() -> new CircuitBreaker(3, Duration.ofSeconds(1)));
        List<URI> uris = new ArrayList<>();
        for (int i = 0; i < n; i++) uris.add(URI.create("http://10.0.0." + (i + 1) + ":8080"));
        set.update("test", uris);
        for (Replica r : set.all()) r.health(Replica.Health.READY);
        return set;
    }

    private static RequestFacts prefix(String p) {
        return new RequestFacts(true, p, null, 100);
    }

    @Test
    void prefixKeepsAPromptFamilyOnOneReplicaAndSpreadsFamilies() {
        ReplicaSet set = replicas(4);
        RoutingPolicy p = Policies.create(PolicyKind.PREFIX, set, SETTINGS);
        Set<Replica> homes = new HashSet<>();
        for (int fam = 0; fam < 40; fam++) {
            Replica first = p.choose(prefix("system prompt " + fam), set.all());
            for (int i = 0; i < 5; i++) assertSame(first, p.choose(prefix("system prompt " + fam), set.all()));
            homes.add(first);
        }
        assertEquals(4, homes.size(), "40 prefixes over 4 replicas should use all of them");
    }

    @Test
    void boundedLoadSpillsFromABusyHomeWhichKeepsThePrefix() {
        ReplicaSet set = replicas(2);
        RoutingPolicy p = Policies.create(PolicyKind.PREFIX, set, SETTINGS);
        Replica home = p.choose(prefix("shared"), set.all());
        Replica other = set.all().get(0) == home ? set.all().get(1) : set.all().get(0);
        for (int i = 0; i < 3; i++) home.begin(10, 0);  // bound = ceil(1.25 * 4 / 2) = 3: home is full
        assertSame(other, p.choose(prefix("shared"), set.all()));
        for (int i = 0; i < 3; i++) home.end(10);
        assertSame(home, p.choose(prefix("shared"), set.all()), "back home, where the prefix's KV is");
        assertSame(other, p.choose(prefix("shared"), List.of(other)), "home gone: the prefix moves");
        assertSame(other, p.choose(prefix("shared"), set.all()), "and stays where it moved");
    }

    @Test
    void addingAReplicaMovesFewKeys() {
        ReplicaSet set = replicas(4);
        HashRing before = new HashRing(set.all(), HashRing.DEFAULT_VNODES);
        List<Replica> five = new ArrayList<>(set.all());
        five.add(new Replica(URI.create("http://10.0.0.9:8080"), new CircuitBreaker(1, Duration.ofSeconds(1))));
        HashRing after = new HashRing(five, HashRing.DEFAULT_VNODES);
        int moved = 0;
        for (int k = 0; k < 10_000; k++) {
            long h = HashRing.hash64("key " + k);
            Replica a = before.first(h, r -> true);
            Replica b = after.first(h, r -> true);
            if (a != b) {
                moved++;
                assertEquals("http://10.0.0.9:8080", b.id(), "a key only moves to the new replica");
            }
        }
        assertTrue(moved > 1000 && moved < 3000, "about 1/5 of the keys should move, moved " + moved);
    }

    @Test
    void sessionsStickAndFallBackWhenTheirReplicaIsOut() {
        ReplicaSet set = replicas(3);
        RoutingPolicy p = Policies.create(PolicyKind.SESSION, set, SETTINGS);
        Map<String, Replica> homes = new HashMap<>();
        for (int s = 0; s < 20; s++) {
            RequestFacts f = new RequestFacts(false, "", "user-" + s, 10);
            homes.put("user-" + s, p.choose(f, set.all()));
            assertSame(homes.get("user-" + s), p.choose(f, set.all()));
        }
        Replica out = homes.get("user-0");
        List<Replica> rest = set.all().stream().filter(r -> r != out).toList();
        Replica moved = p.choose(new RequestFacts(false, "", "user-0", 10), rest);
        assertNotEquals(out, moved);
        assertSame(moved, p.choose(new RequestFacts(false, "", "user-0", 10), rest), "and sticks to its next replica");
    }

    @Test
    void leastLoadReadsOutstandingWorkAndWhatReplicasReport() {
        ReplicaSet set = replicas(3);
        RoutingPolicy p = Policies.create(PolicyKind.LEAST_LOAD, set, SETTINGS);
        Replica a = set.all().get(0), b = set.all().get(1), c = set.all().get(2);
        a.begin(100, 0);
        b.reported(2, 0.1);
        assertSame(c, p.choose(RequestFacts.none(), set.all()));
        c.reported(0, 0.9);
        c.begin(8000, 0);   // one request, but long: 1 + 0.9 + 8000/4096 > a's 1 + 100/4096
        assertSame(a, p.choose(RequestFacts.none(), set.all()));
    }

    @Test
    void roundRobinCycles() {
        ReplicaSet set = replicas(3);
        RoutingPolicy p = Policies.create(PolicyKind.ROUND_ROBIN, set, SETTINGS);
        List<Replica> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) seen.add(p.choose(RequestFacts.none(), set.all()));
        assertEquals(seen.subList(0, 3), seen.subList(3, 6));
        assertEquals(3, new HashSet<>(seen).size());
    }

    @Test
    void policyNamesParseAndBadOnesListTheChoices() {
        assertEquals(PolicyKind.ROUND_ROBIN, PolicyKind.parse("round-robin"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> PolicyKind.parse("random"));
        assertTrue(e.getMessage().contains("least-load, prefix, session, round-robin"), e.getMessage());
    }
}
