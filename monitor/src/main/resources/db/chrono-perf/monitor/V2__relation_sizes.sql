-- The sizes of the largest tables and indexes, once an hour, for the space page's growth.
CREATE TABLE IF NOT EXISTS relation_sizes (
    taken_at timestamptz NOT NULL,
    relation text        NOT NULL,
    bytes    bigint      NOT NULL
);
CREATE INDEX IF NOT EXISTS relation_sizes_relation ON relation_sizes (relation, taken_at);
