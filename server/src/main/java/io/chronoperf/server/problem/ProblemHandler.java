package io.chronoperf.server.problem;

import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ConflictException;
import io.chronoperf.runtime.DatabaseErrors;
import io.chronoperf.runtime.ErrorCode;
import io.chronoperf.runtime.InvalidParameterException;
import io.chronoperf.runtime.NotFoundException;
import io.chronoperf.server.availability.ThrottledLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the API as {@code application/problem+json} with a sentence a person can act on;
 * a bad parameter is named in the {@code parameter} property. Never a stack trace: a real fault is
 * logged here and answered with a plain 500.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    private static final ThrottledLog outage = new ThrottledLog(log, java.time.Duration.ofSeconds(30));

    @ExceptionHandler(InvalidParameterException.class)
    ProblemDetail invalid(InvalidParameterException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        p.setTitle("Invalid parameter");
        p.setProperty("parameter", e.parameter());
        return p;
    }

    @ExceptionHandler(io.chronoperf.advisor.analyze.InvalidQueryException.class)
    ProblemDetail invalidQuery(io.chronoperf.advisor.analyze.InvalidQueryException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        p.setTitle("Query not analysed");
        p.setProperty("parameter", "query");
        return p;
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        p.setTitle("Not found");
        return p;
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
        p.setTitle("Conflict");
        return p;
    }

    @ExceptionHandler(ChronoPerfException.class)
    ProblemDetail chronoPerf(ChronoPerfException e) {
        if (e.code() == ErrorCode.BAD_INPUT || e.code() == ErrorCode.CONFIGURATION) {
            ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
            p.setTitle("Bad request");
            return p;
        }
        if (e.code() == ErrorCode.SERVICE_UNAVAILABLE) {
            outage.warn("service-unavailable", "Requests answered 503: " + e.getMessage());
            ProblemDetail p = ProblemDetail.forStatusAndDetail(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "The database is not answering; try again shortly. Operators: see the server log.");
            p.setTitle("Service unavailable");
            return p;
        }
        return internal(e);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e) {
        Class<?> type = e.getRequiredType();
        String expected = type == null
                ? "a valid value"
                : Number.class.isAssignableFrom(type) || type == int.class || type == long.class
                        ? "a whole number"
                        : type == Boolean.class || type == boolean.class
                                ? "true or false"
                                : type == java.time.Instant.class
                                        ? "an ISO-8601 instant such as 2026-11-28T10:00:00Z"
                                        : "a valid " + type.getSimpleName();
        ProblemDetail p =
                ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getName() + " must be " + expected);
        p.setTitle("Invalid parameter");
        p.setProperty("parameter", e.getName());
        return p;
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(
            MissingServletRequestParameterException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail p =
                ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getParameterName() + " is required");
        p.setTitle("Missing parameter");
        p.setProperty("parameter", e.getParameterName());
        return ResponseEntity.badRequest().body(p);
    }

    /** The database is away (a 503, not a fault of ours): {@link DatabaseErrors#isUnavailable}. */
    static boolean databaseAway(Throwable e) {
        return DatabaseErrors.isUnavailable(e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** Malformed or mistyped JSON: the field (its path) or the line and column, and what was expected. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String field = null;
        String detail;
        Throwable cause = e.getCause();
        if (cause instanceof tools.jackson.databind.exc.UnrecognizedPropertyException u) {
            field = u.getPropertyName();
            detail = "Unknown field '" + field + "': check its spelling against the API description (/v3/api-docs)";
        } else if (cause instanceof tools.jackson.databind.exc.MismatchedInputException m
                && !m.getPath().isEmpty()) {
            field = path(m.getPath());
            Class<?> t = m.getTargetType();
            String expected = t == null
                    ? "a value of the documented type"
                    : t == Boolean.class || t == boolean.class
                            ? "a JSON boolean, true or false (not a string)"
                            : Number.class.isAssignableFrom(t) || t.isPrimitive()
                                    ? "a JSON number (not a string)"
                                    : t == String.class
                                            ? "a JSON string"
                                            : java.util.Collection.class.isAssignableFrom(t)
                                                    ? "a JSON array"
                                                    : "a value of the documented type";
            detail = "Field '" + field + "' must be " + expected;
        } else if (cause instanceof tools.jackson.core.JacksonException j
                && j.getLocation() != null
                && j.getLocation().getLineNr() > 0) {
            detail = "The body is not valid JSON (line " + j.getLocation().getLineNr() + ", column "
                    + j.getLocation().getColumnNr() + "): send one JSON object";
        } else {
            detail = "The body could not be read: send one JSON object with the documented fields";
        }
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        p.setTitle("Invalid body");
        p.setProperty("parameter", field == null ? "body" : field);
        return ResponseEntity.badRequest()
                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(p);
    }

    private static String path(java.util.List<tools.jackson.databind.DatabindException.Reference> refs) {
        StringBuilder b = new StringBuilder();
        for (tools.jackson.databind.DatabindException.Reference r : refs) {
            if (r.getPropertyName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail internal(Exception e) {
        if (databaseAway(e)) {
            // no trace, and one line per 30 s with a count: an outage is not a bug, and must not flood the log
            outage.warn("database-away", "Requests answered 503, the database not answering: " + rootMessage(e));
            ProblemDetail p = ProblemDetail.forStatusAndDetail(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "The database is not answering; try again shortly. Operators: see the server log.");
            p.setTitle("Service unavailable");
            return p;
        }
        log.error("Unexpected error", e);
        ProblemDetail p = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "An unexpected error occurred; it has been logged. Please report it with the time of the request.");
        p.setTitle("Internal error");
        return p;
    }
}
