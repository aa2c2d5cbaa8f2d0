package io.chronoperf.runtime;

/** The addressed row does not exist. */
public class NotFoundException extends ChronoPerfException {
    public NotFoundException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
