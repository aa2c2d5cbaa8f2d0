package io.chronoperf.runtime;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Resolved settings: an explicit value (CLI flag or Spring property) wins over the environment
 * variable, which wins over the default. Immutable.
 */
public final class Settings {
    private final Map<Setting, String> values;

    private Settings(Map<Setting, String> values) {
        this.values = values;
    }

    /** Settings from the process environment. */
    public static Settings fromEnvironment() {
        return from(System.getenv(), Map.of());
    }

    /**
     * @param environment environment variables, by name
     * @param overrides explicit values (CLI flags); null values are ignored
     */
    public static Settings from(Map<String, String> environment, Map<Setting, String> overrides) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String v = overrides.get(s);
            if (isBlank(v)) {
                v = environment.get(s.env());
            }
            if (isBlank(v)) {
                v = s.defaultValue();
            }
            if (!isBlank(v)) {
                values.put(s, v.trim());
            }
        }
        return new Settings(values);
    }

    /** A copy with one value replaced. */
    public Settings with(Setting setting, String value) {
        Map<Setting, String> copy = new EnumMap<>(Setting.class);
        copy.putAll(values);
        if (isBlank(value)) {
            copy.remove(setting);
        } else {
            copy.put(setting, value);
        }
        return new Settings(copy);
    }

    public Optional<String> get(Setting setting) {
        return Optional.ofNullable(values.get(setting));
    }

    /** The value, or the setting's default; a configuration error naming the variable when neither exists. */
    public String text(Setting setting) {
        return get(setting)
                .orElseThrow(() -> new ChronoPerfException(ErrorCode.CONFIGURATION, setting.env() + " is not set"));
    }

    /** An ISO-8601 duration ({@code PT30S}, {@code P14D}); a configuration error naming the variable otherwise. */
    public java.time.Duration duration(Setting setting) {
        String raw = text(setting);
        try {
            java.time.Duration d = java.time.Duration.parse(raw);
            if (d.isNegative()) {
                throw new java.time.format.DateTimeParseException("negative", raw, 0);
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw bad(setting, raw, "an ISO-8601 duration that is not negative, such as PT30S or P14D");
        }
    }

    /** A whole number; a configuration error naming the variable otherwise. */
    public long integer(Setting setting) {
        String raw = text(setting);
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw bad(setting, raw, "a whole number");
        }
    }

    /** A number; a configuration error naming the variable otherwise. */
    public double decimal(Setting setting) {
        String raw = text(setting);
        try {
            double d = Double.parseDouble(raw);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw bad(setting, raw, "a number");
        }
    }

    /** true or false; a configuration error naming the variable for anything else. */
    public boolean bool(Setting setting) {
        String raw = get(setting).orElse("false");
        return switch (raw.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(setting, raw, "true or false");
        };
    }

    private static ChronoPerfException bad(Setting setting, String raw, String expected) {
        return new ChronoPerfException(
                ErrorCode.CONFIGURATION, setting.env() + " must be " + expected + ", not '" + raw + "'");
    }

    public boolean noRedis() {
        return bool(Setting.NO_REDIS);
    }

    /** True when client statements may run under EXPLAIN ANALYZE as a superuser (off by default). */
    public boolean analyzeAllowSuperuser() {
        return bool(Setting.ANALYZE_ALLOW_SUPERUSER);
    }

    public int port() {
        String raw = get(Setting.PORT).orElse("8080");
        try {
            int port = Integer.parseInt(raw);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION,
                    Setting.PORT.env() + " must be a port number from 0 to 65535, not '" + raw + "'");
        }
    }

    /** The data directory, with a leading {@code ~} expanded to the user's home. */
    public Path home() {
        String raw = get(Setting.HOME).orElse(Setting.HOME.defaultValue());
        if (raw.equals("~") || raw.startsWith("~/")) {
            String envHome = System.getenv("HOME"); // $HOME first (sudo -E, containers), then the account's
            raw = (envHome != null && !envHome.isBlank() ? envHome : System.getProperty("user.home"))
                    + raw.substring(1);
        }
        return Path.of(raw).toAbsolutePath().normalize();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
