package io.chronoperf.admin.repository;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;

/** The addressed row does not exist. */
public class NotFoundException extends ChronoPerfException {
    public NotFoundException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
