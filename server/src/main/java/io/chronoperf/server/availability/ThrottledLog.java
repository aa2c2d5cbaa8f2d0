package io.chronoperf.server.availability;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * One log line per kind of failure per interval, with a count, instead of a line (or a stack
 * trace) per request: the first occurrence is logged at once, later ones in the interval are
 * counted and reported with the next line after it. Thread-safe.
 */
public final class ThrottledLog {
    private final Logger log;
    private final long intervalNanos;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        volatile long startedAt;
        final AtomicLong suppressed = new AtomicLong();

        Window(long startedAt) {
            this.startedAt = startedAt;
        }
    }

    public ThrottledLog(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    /** Logs {@code message} at WARN for this kind, at most once per interval; returns true when it did. */
    public boolean warn(String kind, String message) {
        long now = System.nanoTime();
        Window w = windows.computeIfAbsent(kind, k -> new Window(now - intervalNanos - 1));
        synchronized (w) {
            if (now - w.startedAt > intervalNanos) {
                long skipped = w.suppressed.getAndSet(0);
                w.startedAt = now;
                log.warn(
                        "{}{}",
                        message,
                        skipped == 0
                                ? ""
                                : " (" + skipped + " more like it in the last "
                                        + Duration.ofNanos(intervalNanos).toSeconds() + " s)");
                return true;
            }
            w.suppressed.incrementAndGet();
            return false;
        }
    }
}
