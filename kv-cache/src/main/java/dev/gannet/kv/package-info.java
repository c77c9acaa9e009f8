/**
 * Paged KV-cache bookkeeping: block ids, ref counts, an eviction-ordered free queue and a
 * content-hashed prefix cache. No KV bytes live here; the model runner owns the storage and
 * indexes it by the block ids handed out.
 *
 * <ul>
 *   <li>{@link dev.gannet.kv.KvCacheManager}: the one entry point for the scheduler
 *       ({@code findCachedPrefix} / {@code canAllocate} / {@code allocate} / {@code cacheFullBlocks} / {@code free}).</li>
 *   <li>{@link dev.gannet.kv.KvBlockPool}: ref counts and the free queue; block 0 is the null block.</li>
 *   <li>{@link dev.gannet.kv.BlockTable}: one sequence's block ids and slot mapping.</li>
 *   <li>{@link dev.gannet.kv.PrefixCache}: 128-bit chained SHA-256 block hash -> block id, verified on hit.</li>
 * </ul>
 *
 * <p>Everything here is single-threaded: the engine thread owns it.
 */
package dev.gannet.kv;
