package io.chronoperf.monitor.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes each transition to the log: WARN when an alert fires, INFO when it resolves. */
public final class LogSink implements AlertSink {
    private static final Logger log = LoggerFactory.getLogger("io.chronoperf.alerts");

    @Override
    public void send(Alert a) {
        if (a.state().equals("firing")) {
            log.warn(
                    "ALERT {} [{}] {} (value {}, threshold {})",
                    a.rule(),
                    a.severity(),
                    a.message(),
                    a.value(),
                    a.threshold());
        } else {
            log.info(
                    "RESOLVED {} after {} (peak {}): {}",
                    a.rule(),
                    java.time.Duration.between(a.startedAt(), a.resolvedAt()),
                    a.peak(),
                    a.message());
        }
    }
}
