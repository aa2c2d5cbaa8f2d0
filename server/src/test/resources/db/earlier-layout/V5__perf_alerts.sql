-- Alerts of the monitor. At most one open alert per rule: the partial unique index lets several
-- instances evaluate at once while the alert opens once (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE perf.alerts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule         text             NOT NULL,
    metric       text             NOT NULL,
    severity     text             NOT NULL CHECK (severity IN ('warning', 'critical')),
    value        double precision NOT NULL,
    peak         double precision NOT NULL,
    threshold    double precision NOT NULL,
    message      text             NOT NULL,
    started_at   timestamptz      NOT NULL,
    last_seen_at timestamptz      NOT NULL,
    resolved_at  timestamptz,
    CHECK (resolved_at IS NULL OR resolved_at >= started_at)
);
CREATE UNIQUE INDEX alerts_one_open_per_rule ON perf.alerts (rule) WHERE resolved_at IS NULL;
CREATE INDEX alerts_started_at ON perf.alerts (started_at);
