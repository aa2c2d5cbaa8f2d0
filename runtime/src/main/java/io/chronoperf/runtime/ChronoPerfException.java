package io.chronoperf.runtime;

/**
 * The one unchecked root exception of chrono-perf. Its message is written for the person running
 * the tool: it says what is wrong and what to change.
 */
public class ChronoPerfException extends RuntimeException {
    private final ErrorCode code;

    public ChronoPerfException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ChronoPerfException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
