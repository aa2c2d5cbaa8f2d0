package io.chronoperf.cache;

/** What one warming of a namespace did. */
public record WarmReport(
        String namespace, boolean force, int keys, int loaded, int alreadyCached, int errors, long millis) {}
