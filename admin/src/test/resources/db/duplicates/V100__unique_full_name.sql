-- A concurrent unique index build that fails while users has duplicate full names.
SET lock_timeout = '10s';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_test_unique_full_name ON users (full_name);
