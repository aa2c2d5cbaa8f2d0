-- ShedLock's table (one row per background task: who holds it and until when), so that with
-- several instances each task runs on one at a time; and the findings of the periodic analysis.
CREATE TABLE IF NOT EXISTS shedlock (
    name       varchar(64)  NOT NULL PRIMARY KEY,
    lock_until timestamptz  NOT NULL,
    locked_at  timestamptz  NOT NULL,
    locked_by  varchar(255) NOT NULL
);

CREATE TABLE perf.findings (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taken_at timestamptz NOT NULL,
    kind     text        NOT NULL CHECK (kind IN ('slow_query_analysis', 'index_advice', 'optimize')),
    payload  jsonb       NOT NULL
);
CREATE INDEX findings_kind_taken_at ON perf.findings (kind, taken_at DESC);

-- Cache hit figures per namespace at each sample, for the dashboard's chart.
CREATE TABLE perf.cache_samples (
    taken_at  timestamptz NOT NULL,
    namespace text        NOT NULL,
    hits      bigint      NOT NULL,
    misses    bigint      NOT NULL
);
CREATE INDEX cache_samples_taken_at ON perf.cache_samples USING brin (taken_at);
