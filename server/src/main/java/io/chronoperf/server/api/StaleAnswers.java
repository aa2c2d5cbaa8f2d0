package io.chronoperf.server.api;

import io.chronoperf.cache.StaleReads;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * An answer served from an expired cache entry while the database was away (stale-if-error) says
 * so: {@code Age} (seconds, RFC 9111) and {@code Warning: 110 - "Response is Stale"}, plus
 * {@code Chrono-Perf-Stale} with a sentence. A filter opens the per-request scope of
 * {@link StaleReads}; the advice adds the headers just before the body is written.
 */
public final class StaleAnswers {
    private StaleAnswers() {}

    /** The per-request scope. */
    @Component
    public static class Scope extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            StaleReads.begin();
            try {
                chain.doFilter(request, response);
            } finally {
                StaleReads.end();
            }
        }
    }

    /** The headers, on any body. */
    @ControllerAdvice
    public static class Headers implements ResponseBodyAdvice<Object> {
        @Override
        public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
            return true;
        }

        @Override
        public Object beforeBodyWrite(
                Object body,
                MethodParameter returnType,
                MediaType contentType,
                Class<? extends HttpMessageConverter<?>> converterType,
                ServerHttpRequest request,
                ServerHttpResponse response) {
            long ageMillis = StaleReads.maxAgeMillis();
            if (ageMillis >= 0) {
                long seconds = ageMillis / 1000;
                response.getHeaders().set("Age", Long.toString(seconds));
                response.getHeaders().set("Warning", "110 - \"Response is Stale\"");
                response.getHeaders()
                        .set(
                                "Chrono-Perf-Stale",
                                "The database is not answering: this answer is from the cache," + " " + seconds
                                        + " s old.");
            }
            return body;
        }
    }
}
