package io.chronoperf.server.problem;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;

/** Writes an {@code application/problem+json} body outside Spring MVC (the security filters). */
public final class Problems {
    private Problems() {}

    public static void write(HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        write(response, status, title, detail, null);
    }

    /** As {@link #write(HttpServletResponse, HttpStatus, String, String)}, naming the bad {@code parameter}. */
    public static void write(
            HttpServletResponse response, HttpStatus status, String title, String detail, String parameter)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        // the output stream, not the writer: a wrapped response (strict N+1 mode) may have opened it already
        response.getOutputStream()
                .write(("{\"type\":\"about:blank\",\"title\":" + json(title) + ",\"status\":" + status.value()
                                + ",\"detail\":" + json(detail)
                                + (parameter == null ? "" : ",\"parameter\":" + json(parameter)) + "}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
