package io.chronoperf.runtime;

/**
 * What went wrong, coarse enough for a CLI exit status (in the manner of Flyway's {@code ErrorCode}).
 * Exit statuses 0-2 are reserved for health verdicts, so failures start at 3.
 */
public enum ErrorCode {
    /** A setting, flag or argument is wrong; the message says which and how to fix it. */
    CONFIGURATION(3),
    /** A database or Redis server could not be reached or started. */
    SERVICE_UNAVAILABLE(4),
    /** A schema migration failed; the message names the migration or index. */
    MIGRATION(5),
    /** Input data (a file, a request) is malformed. */
    BAD_INPUT(6),
    /** Anything else: a bug or an unexpected server error. */
    INTERNAL(10);

    private final int exitStatus;

    ErrorCode(int exitStatus) {
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
