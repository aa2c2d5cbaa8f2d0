package io.chronoperf.advisor.analyze;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;

/** The SQL may not be analysed; the message says why (a 400 for the API, exit 6 for the CLI). */
public class InvalidQueryException extends ChronoPerfException {
    public InvalidQueryException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
