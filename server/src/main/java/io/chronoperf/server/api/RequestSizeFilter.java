package io.chronoperf.server.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Request bodies of the API are small JSON documents: anything announced above 1 MiB is refused
 * with a 413 before it is read (the query analysis takes at most 100,000 characters of SQL).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestSizeFilter extends OncePerRequestFilter {
    static final long MAX_BODY = 1L << 20;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > MAX_BODY) {
            Problems.write(response, HttpStatus.CONTENT_TOO_LARGE, "Request too large", "The body is "
                    + request.getContentLengthLong() + " bytes; the API takes at most " + MAX_BODY
                    + " (a query to analyse may have at most 100,000 characters)");
            return;
        }
        chain.doFilter(request, response);
    }
}
