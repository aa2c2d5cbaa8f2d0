package io.chronoperf.server.problem;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error path ({@code /error}): what fails outside Spring MVC (Tomcat's own 400s,
 * errors raised in filters) is answered as {@code application/problem+json} too, never as Tomcat's
 * HTML page or Spring's default JSON; no message or trace of the failure is passed on.
 */
@RestController
public class ErrorPage implements ErrorController {
    @RequestMapping("/error")
    public ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = HttpStatus.resolve(code instanceof Integer i ? i : 500);
        if (status == null || !status.isError()) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        String detail = switch (status) {
            case BAD_REQUEST -> "The request could not be read: check the URL's encoding, the headers and the body";
            case NOT_FOUND -> "No such resource: the API is under /api/v1/admin/ (see /v3/api-docs)";
            case METHOD_NOT_ALLOWED -> "This method is not allowed here (see /v3/api-docs)";
            case CONTENT_TOO_LARGE -> "The request is too large";
            default ->
                status.is5xxServerError()
                        ? "An unexpected error occurred; it has been logged. Please report it with the time of the "
                                + "request."
                        : status.getReasonPhrase();
        };
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setTitle(status.getReasonPhrase());
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(p);
    }
}
