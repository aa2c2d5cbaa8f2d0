-- What an admin did to a watched database through chrono-perf (a live query cancelled, a session
-- terminated): who, from where, on which database, to what, and what was found.
CREATE TABLE IF NOT EXISTS actions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taken_at   timestamptz NOT NULL DEFAULT now(),
    subject    text,
    ip         text,
    database   text        NOT NULL,
    action     text        NOT NULL CHECK (action IN ('cancel', 'terminate')),
    pid        integer     NOT NULL,
    reason     text        NOT NULL,
    outcome    jsonb       NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_taken_at ON actions (taken_at DESC);
