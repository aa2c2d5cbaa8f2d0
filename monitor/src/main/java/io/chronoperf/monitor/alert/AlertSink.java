package io.chronoperf.monitor.alert;

/** Where fired and resolved alerts go. A sink must not throw: it logs its own failures. */
public interface AlertSink {
    void send(Alert alert);
}
