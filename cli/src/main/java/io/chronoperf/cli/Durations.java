package io.chronoperf.cli;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the short durations people type: 90s, 30m, 1h, 7d (or ISO-8601 such as PT1H). */
final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,6})([smhd])");

    private Durations() {}

    static Duration parse(String option, String text) {
        Matcher m = SHORT.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION, option + " must be a duration such as 30m, 1h or 7d, not '" + text + "'");
        }
    }
}
