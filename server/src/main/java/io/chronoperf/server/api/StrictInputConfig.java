package io.chronoperf.server.api;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;

/**
 * Input is read as written, never guessed: JSON booleans are true or false (not "true"), numbers
 * are JSON numbers (not strings, and a fraction is no whole number), unknown fields are refused
 * (a typo such as "confrim" must not silently drop a guard), nothing may follow the document; query
 * parameters that are numbers are decimal (Spring would read 0x10 as 16 and #10 as 16 too).
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.web.bind.annotation.ControllerAdvice
public class StrictInputConfig {
    @Bean
    JsonMapperBuilderCustomizer strictJson() {
        return builder -> builder.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // an audit entry's details are a JSON object (jsonb from PostgreSQL), not a string
                .addMixIn(io.chronoperf.admin.repository.AuditLogRepository.Entry.class, AuditEntryJson.class);
    }

    /** Writes {@code details} as the JSON it is (PostgreSQL's jsonb text is always valid JSON). */
    abstract static class AuditEntryJson {
        @com.fasterxml.jackson.annotation.JsonRawValue
        abstract String details();
    }

    /** Editors win over the conversion service, whose number parsing accepts 0x10 and #10. */
    @org.springframework.web.bind.annotation.InitBinder
    void decimalNumbers(org.springframework.web.bind.WebDataBinder binder) {
        binder.registerCustomEditor(Integer.class, new Decimal(Integer.MIN_VALUE, Integer.MAX_VALUE, true));
        binder.registerCustomEditor(int.class, new Decimal(Integer.MIN_VALUE, Integer.MAX_VALUE, true));
        binder.registerCustomEditor(Long.class, new Decimal(Long.MIN_VALUE, Long.MAX_VALUE, false));
        binder.registerCustomEditor(long.class, new Decimal(Long.MIN_VALUE, Long.MAX_VALUE, false));
    }

    private static final class Decimal extends java.beans.PropertyEditorSupport {
        private final long min;
        private final long max;
        private final boolean integer;

        Decimal(long min, long max, boolean integer) {
            this.min = min;
            this.max = max;
            this.integer = integer;
        }

        @Override
        public void setAsText(String text) {
            if (text == null || text.isBlank()) {
                setValue(null);
                return;
            }
            long v = decimal(text, min, max);
            // not a conditional expression: that would promote the Integer to a Long (Error Prone found it)
            if (integer) {
                setValue(Integer.valueOf((int) v));
            } else {
                setValue(Long.valueOf(v));
            }
        }
    }

    /** A decimal whole number in range; the caller's MethodArgumentTypeMismatch names the parameter. */
    static long decimal(String s, long min, long max) {
        String t = s.strip();
        if (t.isEmpty() || t.length() > 20 || !t.matches("-?[0-9]+")) {
            throw new IllegalArgumentException("not a decimal whole number: " + s);
        }
        long v = Long.parseLong(t);
        if (v < min || v > max) {
            throw new IllegalArgumentException("out of range: " + s);
        }
        return v;
    }
}
