package io.chronoperf.runtime;

/**
 * The checks of a request's numeric parameters that every API of chrono-perf shares (the admin
 * platform's own bounds, cursors and windows are in its library): a value out of range is an
 * {@link InvalidParameterException} naming the parameter and what is allowed.
 */
public final class Parameters {
    private Parameters() {}

    /** {@code value}, or {@code fallback} when absent; a 400 naming {@code name} when outside min..max. */
    public static int range(String name, Integer value, int min, int max, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw new InvalidParameterException(
                    name, name + " must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }
}
