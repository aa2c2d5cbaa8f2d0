package io.chronoperf.cli;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import io.chronoperf.runtime.Setting;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;

/**
 * A failure as one line that names the cause and what to change, with the exit status of the
 * README's table; the stack trace goes to {@code CHRONO_PERF_HOME/chrono-perf.log} (and to the
 * console with CHRONO_PERF_DEBUG=1). Causes are recognised by class name, so that a command that
 * never started the server loads none of its classes.
 */
final class Failures {
    /** The line to print and the exit status. */
    record Described(String line, ErrorCode code) {}

    private Failures() {}

    static Described describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ChronoPerfException cpe) {
                return new Described(cpe.getMessage(), cpe.code());
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String type = t.getClass().getName();
            String message = firstLine(t.getMessage());
            if (type.endsWith("PortInUseException")) {
                return new Described(
                        "The HTTP port is in use (" + message + "): set " + Setting.PORT.env()
                                + " or --port to a free port, or 0 for any",
                        ErrorCode.CONFIGURATION);
            }
            if (type.startsWith("org.flywaydb")) {
                return new Described("A migration failed: " + message, ErrorCode.MIGRATION);
            }
            if (type.equals("org.postgresql.util.PSQLException")
                    || type.endsWith("PoolInitializationException")
                    || type.equals("java.sql.SQLTransientConnectionException")) {
                String state = t instanceof java.sql.SQLException s && s.getSQLState() != null
                        ? " (SQLSTATE " + s.getSQLState() + ")"
                        : "";
                return new Described(
                        "The database does not answer" + state + ": " + message + ". Check "
                                + Setting.DB_URL.env() + ", " + Setting.DB_USER.env() + " and "
                                + Setting.DB_PASSWORD.env()
                                + ", or unset them for the embedded PostgreSQL",
                        ErrorCode.SERVICE_UNAVAILABLE);
            }
            if (type.startsWith("io.lettuce") && type.contains("Connection")) {
                return new Described(
                        "Redis does not answer: " + message + ". Check " + Setting.REDIS_URL.env()
                                + ", or run with --no-redis",
                        ErrorCode.SERVICE_UNAVAILABLE);
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new Described(
                "unexpected error: " + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage())
                        + " (please report it)",
                ErrorCode.INTERNAL);
    }

    /** Appends the stack trace to the home's log file; returns its path, or null when it could not be written. */
    static Path log(Throwable e, Path home) {
        try {
            Files.createDirectories(home);
            Path file = home.resolve("chrono-perf.log");
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            Files.writeString(
                    file,
                    Instant.now() + " " + e + System.lineSeparator() + trace + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return file;
        } catch (IOException | RuntimeException notWritable) {
            return null;
        }
    }

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "no message";
        }
        String line = s.strip().lines().findFirst().orElse(s).strip();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    static boolean debug() {
        String v = System.getenv("CHRONO_PERF_DEBUG");
        return v != null && !v.isBlank() && !v.toLowerCase(Locale.ROOT).equals("0") && !v.equalsIgnoreCase("false");
    }
}
