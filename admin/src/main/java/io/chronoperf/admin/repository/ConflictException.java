package io.chronoperf.admin.repository;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;

/** A write that the row's current state does not allow (e.g. approving a user twice). */
public class ConflictException extends ChronoPerfException {
    public ConflictException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
