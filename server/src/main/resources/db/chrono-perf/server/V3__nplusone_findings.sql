-- The N+1 findings of the server's own requests, shared by every process on this database (issue
-- 18: they were kept in each process's memory, so a finding made on one was not seen on another).
-- One row per finding, written in batches; read grouped by kind, fingerprint and call site over a
-- window of at most 168 hours; rows older than 8 days are deleted by the writer.
CREATE TABLE IF NOT EXISTS nplusone_findings (
    at          timestamptz      NOT NULL,
    process     text             NOT NULL,
    endpoint    text             NOT NULL,
    kind        text             NOT NULL,
    fingerprint text             NOT NULL,
    sql         text             NOT NULL,
    site        text             NOT NULL,
    count       integer          NOT NULL,
    total_ms    double precision NOT NULL,
    suggestion  text,
    source_sql  text
);
CREATE INDEX IF NOT EXISTS nplusone_findings_at ON nplusone_findings USING brin (at);

-- What each process has checked (capture units and statements since it started), so that "no
-- findings" can be told from "not capturing" across processes.
CREATE TABLE IF NOT EXISTS nplusone_checks (
    process    text        PRIMARY KEY,
    units      bigint      NOT NULL,
    statements bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);
