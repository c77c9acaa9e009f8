package dev.gannet.runtime.constraint;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Compiled constraints of one vocabulary by their spec, so that requests with the same schema share the
 * automata and every token set computed for them. Bounded by weight: each constraint weighs its
 * {@link Constraint#estimatedBytes()} (capped at {@code Integer.MAX_VALUE}). Thread-safe; compile errors
 * propagate as {@link ConstraintException} and are not cached.
 */
public final class ConstraintCache {
    private final TokenVocabulary vocabulary;
    private final Cache<ConstraintSpec, Constraint> cache;

    public ConstraintCache(TokenVocabulary vocabulary, long maxBytes) {
        if (maxBytes <= 0) throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        this.vocabulary = vocabulary;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((ConstraintSpec k, Constraint c) -> (int) Math.min(Integer.MAX_VALUE, c.estimatedBytes()))
                .build();
    }

    /** The compiled constraint for {@code spec}, compiled now if it is not cached. */
    public Constraint get(ConstraintSpec spec) {
        return cache.get(spec, s -> ConstraintCompiler.compile(s, vocabulary));
    }

    public TokenVocabulary vocabulary() {
        return vocabulary;
    }

    /** Constraints held now. */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
