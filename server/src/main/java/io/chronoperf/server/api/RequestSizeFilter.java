package io.chronoperf.server.api;

import io.chronoperf.server.problem.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Request input is checked before anything reads it. Bodies are small JSON documents: one
 * announced above 1 MiB is refused with a 413 before it is read, and a body without a length
 * (chunked) is read with a cap, refused with a 413 as soon as the cap is passed, never buffered
 * past it. A body must be valid UTF-8 without NUL characters (raw or as {@code \u0000}); every
 * query parameter too, or a 400 names it. PostgreSQL cannot store NUL in text, and a NUL that
 * reached it would surface as a database error.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestSizeFilter extends OncePerRequestFilter {
    static final long MAX_BODY = 1L << 20;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        for (Map.Entry<String, String[]> p : request.getParameterMap().entrySet()) {
            if (bad(p.getKey())) {
                Problems.write(
                        response,
                        HttpStatus.BAD_REQUEST,
                        "Invalid parameter",
                        "A parameter name holds a NUL character or invalid UTF-8",
                        "parameter");
                return;
            }
            for (String v : p.getValue()) {
                if (bad(v)) {
                    Problems.write(
                            response,
                            HttpStatus.BAD_REQUEST,
                            "Invalid parameter",
                            p.getKey() + " holds a NUL character or invalid UTF-8: send text only",
                            p.getKey());
                    return;
                }
            }
        }
        if (request.getContentLengthLong() > MAX_BODY) {
            tooLarge(response, request.getContentLengthLong() + " bytes");
            return;
        }
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        if (!hasBody) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = readCapped(request.getInputStream());
        if (body == null) {
            tooLarge(response, "more than " + MAX_BODY + " bytes");
            return;
        }
        String problem = bodyProblem(body);
        if (problem != null) {
            Problems.write(response, HttpStatus.BAD_REQUEST, "Invalid body", problem, "body");
            return;
        }
        chain.doFilter(new CachedBody(request, body), response);
    }

    private static void tooLarge(HttpServletResponse response, String size) throws IOException {
        response.setHeader("Connection", "close"); // the rest of the body is not read
        Problems.write(
                response,
                HttpStatus.CONTENT_TOO_LARGE,
                "Request too large",
                "The body is " + size + "; the API takes at most " + MAX_BODY
                        + " (a query to analyse may have at most 100,000 characters)");
    }

    /** The body, or null as soon as it passes {@link #MAX_BODY}. */
    private static byte[] readCapped(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > MAX_BODY) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String bodyProblem(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            return "The body is not valid UTF-8: send JSON in UTF-8";
        }
        if (text.indexOf('\0') >= 0 || text.toLowerCase(Locale.ROOT).contains("\\u0000")) {
            return "The body holds a NUL character (\\u0000), which no field accepts";
        }
        return null;
    }

    private static boolean bad(String s) {
        return s != null && (s.indexOf('\0') >= 0 || s.indexOf('\uFFFD') >= 0);
    }

    /** The request with its body already read. */
    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
