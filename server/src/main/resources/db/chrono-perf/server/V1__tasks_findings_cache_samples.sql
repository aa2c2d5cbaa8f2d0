-- The server's tables, in chrono-perf's own schema (Flyway runs this with search_path chrono_perf):
-- ShedLock's table (one row per background task: who holds it and until when, so that with several
-- instances each task runs on one at a time), the findings of the periodic analysis, and the cache
-- hit figures per namespace at each sample.
--
-- Upgrade: the earlier layout had shedlock in schema public and the others in schema perf (the
-- admin platform's migration V7); they are moved here with their rows. A shedlock table that
-- chrono-perf did not create (another application's) is left where it is.
DO $$
BEGIN
    IF to_regclass('public.flyway_schema_history') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM public.flyway_schema_history WHERE script = 'V7__tasks_and_findings.sql' AND success) THEN
            IF to_regclass('public.shedlock') IS NOT NULL THEN
                ALTER TABLE public.shedlock SET SCHEMA chrono_perf;
            END IF;
            IF to_regclass('perf.findings') IS NOT NULL THEN
                ALTER TABLE perf.findings SET SCHEMA chrono_perf;
            END IF;
            IF to_regclass('perf.cache_samples') IS NOT NULL THEN
                ALTER TABLE perf.cache_samples SET SCHEMA chrono_perf;
            END IF;
        END IF;
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS shedlock (
    name       varchar(64)  NOT NULL PRIMARY KEY,
    lock_until timestamptz  NOT NULL,
    locked_at  timestamptz  NOT NULL,
    locked_by  varchar(255) NOT NULL
);

CREATE TABLE IF NOT EXISTS findings (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taken_at timestamptz NOT NULL,
    kind     text        NOT NULL CHECK (kind IN ('slow_query_analysis', 'index_advice', 'optimize')),
    payload  jsonb       NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_kind_taken_at ON findings (kind, taken_at DESC);

CREATE TABLE IF NOT EXISTS cache_samples (
    taken_at  timestamptz NOT NULL,
    namespace text        NOT NULL,
    hits      bigint      NOT NULL,
    misses    bigint      NOT NULL
);
CREATE INDEX IF NOT EXISTS cache_samples_taken_at ON cache_samples USING brin (taken_at);

DO $$
BEGIN
    IF to_regnamespace('perf') IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = to_regnamespace('perf')) THEN
        DROP SCHEMA perf;
    END IF;
END
$$;
