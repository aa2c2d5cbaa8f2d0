package io.chronoperf.cache;

import java.util.List;
import java.util.function.Supplier;
import tools.jackson.core.type.TypeReference;

/** Computes the popular keys of a namespace, with how to load each (what warming fills). */
@FunctionalInterface
public interface Warmer {
    List<Task<?>> tasks();

    /** One key to warm. */
    record Task<T>(CacheKey key, TypeReference<T> type, Supplier<T> loader) {}
}
