-- Issue 18: the history tables partitioned by day (native range partitioning on taken_at), so that
-- retention drops whole days instead of deleting rows (a DELETE of a day of statement samples wrote
-- as much WAL as the day's inserts and left the table to vacuum). Partitions are named
-- <table>_pYYYYMMDD (days in UTC) and are created ahead by the sampler (History.ensurePartitions); the DEFAULT
-- partition only catches a sample for a day that has none yet, and retention deletes its old rows.
-- The rows of an existing installation are moved with their indexes' definitions.
SET LOCAL lock_timeout = '5s';

DO $$
DECLARE
    t text;
    d date;
BEGIN
    FOREACH t IN ARRAY ARRAY['database_samples', 'statement_samples', 'relation_sizes'] LOOP
        IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('chrono_perf.' || t)) = 'p' THEN
            CONTINUE; -- already partitioned
        END IF;
        EXECUTE format('ALTER TABLE chrono_perf.%I RENAME TO %I', t, t || '_unpartitioned');
        EXECUTE format('CREATE TABLE chrono_perf.%I (LIKE chrono_perf.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
                       ' PARTITION BY RANGE (taken_at)', t, t || '_unpartitioned');
        EXECUTE format('CREATE TABLE chrono_perf.%I PARTITION OF chrono_perf.%I DEFAULT', t || '_default', t);
        -- a partition for each day that holds rows (UTC days), then the rows
        FOR d IN EXECUTE format('SELECT DISTINCT (taken_at AT TIME ZONE ''UTC'')::date FROM chrono_perf.%I',
                                t || '_unpartitioned') LOOP
            EXECUTE format('CREATE TABLE chrono_perf.%I PARTITION OF chrono_perf.%I FOR VALUES FROM (%L) TO (%L)',
                           t || '_p' || to_char(d, 'YYYYMMDD'), t,
                           d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
        END LOOP;
        EXECUTE format('INSERT INTO chrono_perf.%I SELECT * FROM chrono_perf.%I', t, t || '_unpartitioned');
        EXECUTE format('DROP TABLE chrono_perf.%I', t || '_unpartitioned');
        -- the same indexes, on the partitioned table (each partition gets its own)
        IF t = 'database_samples' THEN
            CREATE INDEX database_samples_taken_at ON chrono_perf.database_samples USING brin (taken_at);
        ELSIF t = 'statement_samples' THEN
            CREATE INDEX statement_samples_taken_at ON chrono_perf.statement_samples USING brin (taken_at);
            CREATE INDEX statement_samples_queryid ON chrono_perf.statement_samples (queryid, taken_at);
        ELSE
            CREATE INDEX relation_sizes_relation ON chrono_perf.relation_sizes (relation, taken_at);
        END IF;
    END LOOP;
END
$$;
