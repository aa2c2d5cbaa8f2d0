package io.chronoperf.monitor.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * POSTs each transition as JSON to a webhook: the alert itself ({@code generic}), or a Slack
 * incoming-webhook message ({@code slack}: {@code {"text": ...}}). Sent asynchronously with a
 * 5 s timeout; a failure is logged and the alert stays stored.
 */
public final class WebhookSink implements AlertSink {
    public enum Format {
        GENERIC,
        SLACK
    }

    private static final Logger log = LoggerFactory.getLogger(WebhookSink.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI uri;
    private final Format format;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public WebhookSink(URI uri, Format format) {
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the alert webhook must be an http or https URL, not " + uri);
        }
        this.uri = uri;
        this.format = format;
    }

    /** The body sent for an alert. */
    public String payload(Alert a) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (format == Format.SLACK) {
            String icon = a.state().equals("firing")
                    ? (a.severity().equals("critical") ? ":red_circle:" : ":warning:")
                    : ":white_check_mark:";
            body.put(
                    "text",
                    String.format(
                            java.util.Locale.ROOT,
                            "%s *%s* %s: %s (value %.2f, threshold %.2f)",
                            icon,
                            a.state().equals("firing") ? "FIRING" : "RESOLVED",
                            a.rule(),
                            a.message(),
                            a.value(),
                            a.threshold()));
        } else {
            body.put("source", "chrono-perf");
            body.put("alert", a);
        }
        return JSON.writeValueAsString(body);
    }

    @Override
    public void send(Alert a) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload(a)))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            if (e != null) {
                log.warn("Alert webhook {} failed: {}", uri.getHost(), e.toString());
            } else if (r.statusCode() >= 300) {
                log.warn("Alert webhook {} answered {}", uri.getHost(), r.statusCode());
            }
        });
    }
}
