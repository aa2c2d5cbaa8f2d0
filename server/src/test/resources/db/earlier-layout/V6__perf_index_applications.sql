-- Indexes applied by the advisor, with the proof: the read-only workload timed before and after.
CREATE TABLE perf.index_applications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    applied_at timestamptz      NOT NULL DEFAULT now(),
    ddl        text[]           NOT NULL,
    before_ms  double precision,
    after_ms   double precision,
    outcome    jsonb            NOT NULL
);
