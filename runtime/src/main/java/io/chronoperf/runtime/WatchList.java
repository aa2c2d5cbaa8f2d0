package io.chronoperf.runtime;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The databases to watch beside the one chrono-perf runs on ({@code CHRONO_PERF_WATCH}):
 * {@code name=URL,name=URL}, each URL a JDBC one ({@code jdbc:postgresql://host:port/db?user=u})
 * or a {@code postgres://user:password@host:port/db} one. The name {@value #MAIN} is the database
 * chrono-perf runs on and cannot be taken.
 */
public final class WatchList {
    /** The name of the database chrono-perf runs on. */
    public static final String MAIN = "main";

    /** One watched database. */
    public record Watched(String name, DatabaseEndpoint endpoint) {
        @Override
        public String toString() {
            return name + "=" + endpoint; // the endpoint's own toString hides the password
        }
    }

    private WatchList() {}

    public static List<Watched> parse(String text) {
        List<Watched> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        Set<String> names = new LinkedHashSet<>();
        for (String item : text.split(",")) {
            String entry = item.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw bad("'" + entry + "' is not name=URL");
            }
            String name = entry.substring(0, eq).strip();
            String url = entry.substring(eq + 1).strip();
            if (!name.matches("[a-z][a-z0-9_-]{0,39}")) {
                throw bad("the name '" + name
                        + "' must be 1 to 40 lower-case letters, digits, '_' or '-', starting with a letter");
            }
            if (name.equals(MAIN)) {
                throw bad("the name 'main' is the database chrono-perf runs on; choose another");
            }
            if (!names.add(name)) {
                throw bad("the name '" + name + "' is given twice");
            }
            if (!(url.startsWith("jdbc:postgresql://")
                    || url.startsWith("postgres://")
                    || url.startsWith("postgresql://"))) {
                throw bad("the URL of '" + name + "' must start with jdbc:postgresql://, postgres:// or postgresql://");
            }
            try {
                out.add(new Watched(name, DatabaseEndpoint.external(url, null, null)));
            } catch (IllegalArgumentException e) {
                throw bad("the URL of '" + name + "' is not valid (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    private static ChronoPerfException bad(String what) {
        return new ChronoPerfException(
                ErrorCode.CONFIGURATION,
                "CHRONO_PERF_WATCH: " + what
                        + ". Expected name=URL,name=URL, e.g. CHRONO_PERF_WATCH=\"shop=postgres://app@db:5432/shop\".");
    }
}
