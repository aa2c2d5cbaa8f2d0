-- When chrono-perf first saw each index (PostgreSQL keeps no build time): index hygiene reports an
-- index unused only after it was watched long enough (CHRONO_PERF_HYGIENE_UNUSED_AFTER, 7 days).
CREATE TABLE IF NOT EXISTS index_first_seen (
    index_oid  oid         PRIMARY KEY,
    index_name text        NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now()
);
