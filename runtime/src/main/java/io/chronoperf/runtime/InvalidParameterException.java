package io.chronoperf.runtime;

/** A request parameter out of its bounds or malformed; the message names it and says what is allowed. */
public class InvalidParameterException extends ChronoPerfException {
    private final String parameter;

    public InvalidParameterException(String parameter, String message) {
        super(ErrorCode.BAD_INPUT, message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
