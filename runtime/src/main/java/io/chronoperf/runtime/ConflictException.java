package io.chronoperf.runtime;

/** A write that the row's current state does not allow (e.g. approving a user twice). */
public class ConflictException extends ChronoPerfException {
    public ConflictException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
