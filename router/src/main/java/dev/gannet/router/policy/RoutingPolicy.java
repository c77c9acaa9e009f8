package dev.gannet.router.policy;

import dev.gannet.router.replica.Replica;

import java.util.List;

/**
 * Picks the replica for one request. Called on an event loop with the replicas that may take it now
 * (available, and not yet tried for this request); must not block.
 */
public interface RoutingPolicy {
    /** @param candidates non-empty */
    Replica choose(RequestFacts facts, List<Replica> candidates);
}
