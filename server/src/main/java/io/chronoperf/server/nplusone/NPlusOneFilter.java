package io.chronoperf.server.nplusone;

import io.chronoperf.advisor.nplusone.Detector;
import io.chronoperf.advisor.nplusone.Finding;
import io.chronoperf.advisor.nplusone.StatementCapture;
import io.chronoperf.server.problem.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Each admin API request is one capture unit: its statements are checked when it ends, findings
 * go to the {@link NPlusOneLog} with the endpoint. Strict mode ({@code chrono-perf.n-plus-one.strict},
 * like Prosopite's raise mode): {@code warn} logs each finding, {@code fail} also replaces the
 * response with a 500 naming the query, so a test suite running in fail mode cannot pass with an
 * N+1 in it. Only N+1 queries trigger strict mode; duplicates and the rest are recorded.
 */
public final class NPlusOneFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(NPlusOneFilter.class);
    private static final Pattern NUMBER = Pattern.compile("/\\d+(?=/|$)");

    /** What strict mode does. */
    public enum Strict {
        OFF,
        WARN,
        FAIL
    }

    private final StatementCapture capture;
    private final Detector detector;
    private final NPlusOneLog findings;
    private final Strict strict;

    public NPlusOneFilter(StatementCapture capture, Detector detector, NPlusOneLog findings, Strict strict) {
        this.capture = capture;
        this.detector = detector;
        this.findings = findings;
        this.strict = strict;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // a server-sent event stream is long-lived and must flush as it goes: no unit of work, no buffering
        return !request.getRequestURI().startsWith("/api/v1/admin/")
                || request.getRequestURI().endsWith("/stream");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String endpoint = request.getMethod() + " "
                + NUMBER.matcher(request.getRequestURI()).replaceAll("/{id}");
        HttpServletResponse target = strict == Strict.FAIL ? new ContentCachingResponseWrapper(response) : response;
        List<Finding> found;
        try (StatementCapture.Scope scope = capture.open(endpoint)) {
            chain.doFilter(request, target);
            found = detector.detect(scope.recorded().statements());
            findings.checked(scope.recorded().statements().size());
        }
        if (!found.isEmpty()) {
            findings.record(endpoint, found);
        }
        List<Finding> nPlusOne =
                found.stream().filter(f -> f.kind().equals(Finding.N_PLUS_ONE)).toList();
        for (Finding f : nPlusOne) {
            if (strict != Strict.OFF) {
                log.warn("N+1 in {}: {} x {} from {}; {}", endpoint, f.count(), f.sql(), f.site(), f.suggestion());
            }
        }
        if (target instanceof ContentCachingResponseWrapper cached) {
            if (!nPlusOne.isEmpty()) {
                cached.resetBuffer();
                Finding f = nPlusOne.get(0);
                Problems.write(
                        response,
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "N+1 query (strict mode)",
                        endpoint + " ran " + f.count() + " times: " + f.sql() + " (from " + f.site() + "). "
                                + f.suggestion());
            } else {
                cached.copyBodyToResponse();
            }
        }
    }
}
