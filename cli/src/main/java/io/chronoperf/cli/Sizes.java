package io.chronoperf.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/** Sizes such as 600MB, 3GB, 512kB or a plain byte count (powers of 1024, as PostgreSQL's units). */
final class Sizes implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|tb)?\\s*");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String value) {
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a size: write e.g. 600MB, 3GB or a byte count");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "kb" -> 10;
            case "mb" -> 20;
            case "gb" -> 30;
            case "tb" -> 40;
            default -> 0;
        };
        long bytes = (long) (n * (1L << shift));
        if (bytes <= 0) {
            throw new IllegalArgumentException("the size must be positive, not " + value);
        }
        return bytes;
    }

    static String format(long bytes) {
        if (bytes < 1L << 20) {
            return String.format(Locale.ROOT, "%.0f kB", bytes / 1024.0);
        }
        return bytes >= 1L << 30
                ? String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.0f MB", bytes / (double) (1L << 20));
    }
}
