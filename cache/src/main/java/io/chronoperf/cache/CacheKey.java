package io.chronoperf.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A cache key {@code {prefix}{namespace}:{operation}:{parameters}}, built by
 * {@link AdminCache#key(Namespace, String)} with the cache's prefix (the caller's, e.g. {@code admin:}). Parameters
 * are canonical: sorted
 * by name and typed ({@code limit=i:50}), so the same request always gives the same key whatever
 * the order of its parameters; values are percent-encoded so that no caller input can put a
 * {@code :}, {@code *} or glob character into the key and reach outside its namespace; a
 * parameter string longer than {@value #MAX_PARAMS} characters is replaced by its SHA-256.
 */
public final class CacheKey {
    static final int MAX_PARAMS = 120;
    private static final Pattern OPERATION = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final String namespace;
    private final String value;
    /**
     * The building cache's own record of the namespace, so that a get needs no look-up (null: built without a cache).
     */
    final Object owner;

    private CacheKey(String namespace, String value, Object owner) {
        this.namespace = namespace;
        this.value = value;
        this.owner = owner;
    }

    static Builder builder(String prefix, String namespace, String operation) {
        return new Builder(prefix, namespace, operation, null);
    }

    static Builder builder(String prefix, String namespace, String operation, Object owner) {
        return new Builder(prefix, namespace, operation, owner);
    }

    public String namespace() {
        return namespace;
    }

    /** The Redis key. */
    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheKey k && k.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }

    /** Collects typed parameters; order does not matter. */
    public static final class Builder {
        private final String prefix;
        private final String namespace;
        private final String operation;
        private final Map<String, String> params = new TreeMap<>();

        private final Object owner;

        private Builder(String prefix, String namespace, String operation, Object owner) {
            this.owner = owner;
            this.prefix = prefix;
            if (namespace == null || !Namespace.NAME.matcher(namespace).matches()) {
                throw new IllegalArgumentException("bad namespace '" + namespace + "'");
            }
            if (operation == null || !OPERATION.matcher(operation).matches()) {
                throw new IllegalArgumentException(
                        "operation must be lower-case letters, digits and _, not '" + operation + "'");
            }
            this.namespace = namespace;
            this.operation = operation;
        }

        /** Adds a parameter; a null value is left out (so "absent" and "null" give one key). */
        public Builder param(String name, Object value) {
            if (!OPERATION.matcher(Objects.requireNonNull(name)).matches()) {
                throw new IllegalArgumentException("parameter names are lower-case identifiers, not '" + name + "'");
            }
            if (value != null) {
                params.put(name, type(value) + ":" + encode(String.valueOf(value)));
            }
            return this;
        }

        public CacheKey build() {
            StringBuilder p = new StringBuilder();
            params.forEach((k, v) ->
                    p.append(p.length() == 0 ? "" : ",").append(k).append('=').append(v));
            String parameters = p.length() <= MAX_PARAMS ? p.toString() : "sha256-" + sha256(p.toString());
            String key = prefix + namespace + ":" + operation + (parameters.isEmpty() ? "" : ":" + parameters);
            return new CacheKey(namespace, key, owner);
        }

        private static String type(Object value) {
            if (value instanceof Integer || value instanceof Long || value instanceof Short) {
                return "i";
            }
            if (value instanceof Boolean) {
                return "b";
            }
            if (value instanceof Number) {
                return "n";
            }
            if (value instanceof java.time.temporal.Temporal) {
                return "t";
            }
            return "s";
        }

        /** Percent-encodes everything but letters, digits and {@code - . _ @}. */
        private static String encode(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (byte raw : s.getBytes(StandardCharsets.UTF_8)) {
                int c = raw & 0xff;
                if (c >= 'a' && c <= 'z'
                        || c >= 'A' && c <= 'Z'
                        || c >= '0' && c <= '9'
                        || c == '-'
                        || c == '.'
                        || c == '_'
                        || c == '@') {
                    b.append((char) c);
                } else {
                    b.append('%')
                            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                }
            }
            return b.toString();
        }

        private static String sha256(String s) {
            try {
                return HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
        }
    }
}
