-- What each background task has done, shared by every process on this database (issue 18: runs,
-- failures and the last run were kept in each process's memory, so a process's health showed a
-- task "not run yet" that another process ran every interval). One row per task, updated by the
-- process that ran it (the task's ShedLock lets one run at a time): totals over every process,
-- and the last run's time, duration, outcome and process.
CREATE TABLE IF NOT EXISTS task_runs (
    name         varchar(64) NOT NULL PRIMARY KEY,
    runs         bigint      NOT NULL,
    failures     bigint      NOT NULL,
    last_run_at  timestamptz NOT NULL,
    last_millis  bigint      NOT NULL,
    last_outcome text        NOT NULL,
    last_by      text        NOT NULL
);
