package io.chronoperf.admin.repository;

import io.chronoperf.runtime.InvalidParameterException;
import io.chronoperf.runtime.Parameters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * The bounds of every parameter of the admin API, and the opaque keyset cursor. Checked here, in
 * the library, so that every caller (HTTP, CLI, benchmarks) gets the same limits and messages.
 */
public final class Bounds {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;
    public static final int MAX_TEXT = 200;
    /** Audit statistics and listings look back at most this far: beyond, use an export. */
    public static final Duration MAX_WINDOW = Duration.ofDays(92);

    private Bounds() {}

    public static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidParameterException("limit", "limit must be between 1 and " + MAX_LIMIT + ", not " + limit);
        }
        return limit;
    }

    public static String text(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.length() > MAX_TEXT) {
            throw new InvalidParameterException(name, name + " must be at most " + MAX_TEXT + " characters long");
        }
        return value;
    }

    public static String oneOf(String name, String value, Set<String> allowed) {
        if (value == null) {
            return null;
        }
        if (!allowed.contains(value)) {
            throw new InvalidParameterException(
                    name,
                    name + " must be one of "
                            + String.join(", ", allowed.stream().sorted().toList()) + ", not '" + text(name, value)
                            + "'");
        }
        return value;
    }

    public static int range(String name, Integer value, int min, int max, int fallback) {
        return Parameters.range(name, value, min, max, fallback);
    }

    /** A time window [from, to) no longer than {@link #MAX_WINDOW}, defaulting to the last 24 hours. */
    public static Instant[] window(Instant from, Instant to, Instant now) {
        Instant end = to == null ? now : to;
        Instant start = from == null ? end.minus(Duration.ofHours(24)) : from;
        if (!start.isBefore(end)) {
            throw new InvalidParameterException("from", "from must be before to");
        }
        if (Duration.between(start, end).compareTo(MAX_WINDOW) > 0) {
            throw new InvalidParameterException(
                    "from", "the time range from..to may span at most " + MAX_WINDOW.toDays() + " days");
        }
        return new Instant[] {start, end};
    }

    /** A keyset position: the sort value (an instant in microseconds, or a number) and the row id. */
    public record Cursor(long sortKey, long id) {
        public String encode() {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((sortKey + ":" + id).getBytes(StandardCharsets.US_ASCII));
        }

        public static Cursor of(Instant sort, long id) {
            return new Cursor(sort.getEpochSecond() * 1_000_000 + sort.getNano() / 1_000, id);
        }

        public Instant instant() {
            return Instant.ofEpochSecond(Math.floorDiv(sortKey, 1_000_000), Math.floorMod(sortKey, 1_000_000) * 1_000L);
        }

        /** Null for a null or empty cursor (the first page). */
        public static Cursor decode(String cursor) {
            if (cursor == null || cursor.isEmpty()) {
                return null;
            }
            try {
                String raw =
                        new String(Base64.getUrlDecoder().decode(text("cursor", cursor)), StandardCharsets.US_ASCII);
                int colon = raw.indexOf(':');
                return new Cursor(Long.parseLong(raw.substring(0, colon)), Long.parseLong(raw.substring(colon + 1)));
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                throw new InvalidParameterException(
                        "cursor",
                        "cursor is not one this API returned: pass the next_cursor"
                                + " of the previous page unchanged");
            }
        }
    }

    /** One page of a keyset-paginated listing. */
    public record Page<T>(java.util.List<T> items, String nextCursor) {
        /**
         * A page from {@code limit + 1} fetched rows: the extra row only tells that there is a next
         * page, whose cursor is the last returned row's position.
         */
        static <T> Page<T> of(java.util.List<T> rows, int limit, java.util.function.Function<T, Cursor> cursorOf) {
            if (rows.size() <= limit) {
                return new Page<>(java.util.List.copyOf(rows), null);
            }
            java.util.List<T> items = java.util.List.copyOf(rows.subList(0, limit));
            return new Page<>(items, cursorOf.apply(items.get(limit - 1)).encode());
        }
    }
}
