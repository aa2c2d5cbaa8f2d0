-- The 46 strategic indexes of the admin platform (the seed's strategy, completed).
--
-- Each is built with CREATE INDEX CONCURRENTLY IF NOT EXISTS, outside a transaction (Flyway runs
-- this script non-transactionally because of CONCURRENTLY), under a lock_timeout so that a build
-- never queues behind a long transaction and blocks the table's writers. Each carries a
-- COMMENT ON INDEX starting with 'strategic:' that names the admin query it serves; the catalog
-- comment is how chrono-perf finds the set again (benchmarks, hygiene).
--
-- A build that fails (lock timeout, duplicates for a unique index, cancellation) leaves an
-- INVALID index behind. io.chronoperf.admin.AdminSchema detects such indexes before migrating,
-- drops them concurrently and runs this idempotent script again; it never leaves one silently.
--
-- The seed's partial index on security_events "WHERE created_at > NOW() - INTERVAL '24 hours'"
-- is illegal: an index predicate must be IMMUTABLE and now() is only STABLE (and were it allowed,
-- the index would hold the 24 hours before its creation and go stale). Its queries are served by
-- idx_security_events_recent_by_ip (ip_address, created_at DESC), which answers "events of this IP
-- in the last 24 h" with a range scan whatever the hour, and idx_security_events_recent_failures,
-- a partial covering index of the failed-access events by time, which finds the top offending IPs
-- of the last 24 h from the index alone.

SET lock_timeout = '10s';
SET statement_timeout = 0;

-- users
-- serves: users dashboard: counts by approval_status and is_active, sign-ups over time
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_admin_dashboard ON users (approval_status, is_active, created_at);
COMMENT ON INDEX idx_users_admin_dashboard IS 'strategic: users dashboard: counts by approval_status and is_active, sign-ups over time';
-- serves: lookup by email with account state, answered from the index
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_auth_lookup ON users (email, is_active, is_locked, is_verified);
COMMENT ON INDEX idx_users_auth_lookup IS 'strategic: lookup by email with account state, answered from the index';
-- serves: security status: locked and MFA-less accounts by risk
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_security_status ON users (is_locked, mfa_enabled, risk_score DESC, last_failed_login);
COMMENT ON INDEX idx_users_security_status IS 'strategic: security status: locked and MFA-less accounts by risk';
-- serves: approval queue: pending users oldest first, keyset pagination
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_approval_queue ON users (created_at, id) WHERE approval_status = 'pending';
COMMENT ON INDEX idx_users_approval_queue IS 'strategic: approval queue: pending users oldest first, keyset pagination';
-- serves: user list sorted by newest, keyset pagination
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_created_keyset ON users (created_at DESC, id DESC);
COMMENT ON INDEX idx_users_created_keyset IS 'strategic: user list sorted by newest, keyset pagination';
-- serves: user list filtered by approval status, newest first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_status_created ON users (approval_status, created_at DESC, id DESC);
COMMENT ON INDEX idx_users_status_created IS 'strategic: user list filtered by approval status, newest first';
-- serves: user list sorted by risk, keyset pagination
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_risk_keyset ON users (risk_score DESC, id DESC);
COMMENT ON INDEX idx_users_risk_keyset IS 'strategic: user list sorted by risk, keyset pagination';
-- serves: security status by risk: high-risk accounts without a heap visit
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_high_risk ON users (risk_score DESC, id) INCLUDE (email, is_locked, mfa_enabled, last_failed_login) WHERE risk_score >= 70;
COMMENT ON INDEX idx_users_high_risk IS 'strategic: security status by risk: high-risk accounts without a heap visit';
-- serves: user search: substring match on email (ILIKE '%term%')
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email_trgm ON users USING gin (email gin_trgm_ops);
COMMENT ON INDEX idx_users_email_trgm IS 'strategic: user search: substring match on email (ILIKE ''%term%'')';
-- serves: user search: substring match on full name
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_name_trgm ON users USING gin (full_name gin_trgm_ops);
COMMENT ON INDEX idx_users_name_trgm IS 'strategic: user search: substring match on full name';
-- serves: locked accounts, most recently locked first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_locked ON users (updated_at DESC) WHERE is_locked;
COMMENT ON INDEX idx_users_locked IS 'strategic: locked accounts, most recently locked first';
-- serves: users approved by an admin; keeps ON DELETE SET NULL of the self-reference cheap
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_approved_by ON users (approved_by) WHERE approved_by IS NOT NULL;
COMMENT ON INDEX idx_users_approved_by IS 'strategic: users approved by an admin; keeps ON DELETE SET NULL of the self-reference cheap';
-- serves: admin and superadmin accounts list
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_staff ON users (role, created_at DESC) WHERE role <> 'user';
COMMENT ON INDEX idx_users_staff IS 'strategic: admin and superadmin accounts list';

-- audit_logs
-- serves: audit log filtered by admin user over time
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_admin_activity ON audit_logs (admin_user_id, created_at DESC, category) WHERE admin_user_id IS NOT NULL;
COMMENT ON INDEX idx_audit_logs_admin_activity IS 'strategic: audit log filtered by admin user over time';
-- serves: security-event audit entries by severity over time
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_security_events ON audit_logs (category, severity, created_at DESC, success) WHERE category = 'security_event';
COMMENT ON INDEX idx_audit_logs_security_events IS 'strategic: security-event audit entries by severity over time';
-- serves: audit statistics over a time window, answered from the index (covering)
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_dashboard_metrics ON audit_logs (created_at DESC, category, severity, success, affected_count) INCLUDE (action, resource_type, ip_address);
COMMENT ON INDEX idx_audit_logs_dashboard_metrics IS 'strategic: audit statistics over a time window, answered from the index (covering)';
-- serves: audit log, newest first, keyset pagination
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_keyset ON audit_logs (created_at DESC, id DESC);
COMMENT ON INDEX idx_audit_logs_keyset IS 'strategic: audit log, newest first, keyset pagination';
-- serves: audit log filtered by category, keyset pagination
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_category_time ON audit_logs (category, created_at DESC, id DESC);
COMMENT ON INDEX idx_audit_logs_category_time IS 'strategic: audit log filtered by category, keyset pagination';
-- serves: high and critical audit entries, newest first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_severity_time ON audit_logs (severity, created_at DESC, id DESC) WHERE severity IN ('high', 'critical');
COMMENT ON INDEX idx_audit_logs_severity_time IS 'strategic: high and critical audit entries, newest first';
-- serves: failed admin actions, newest first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_failures ON audit_logs (created_at DESC, id DESC) WHERE NOT success;
COMMENT ON INDEX idx_audit_logs_failures IS 'strategic: failed admin actions, newest first';
-- serves: history of what was done to one user
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_target_user ON audit_logs (user_id, created_at DESC) WHERE user_id IS NOT NULL;
COMMENT ON INDEX idx_audit_logs_target_user IS 'strategic: history of what was done to one user';
-- serves: history of one resource
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_resource ON audit_logs (resource_type, resource_id, created_at DESC);
COMMENT ON INDEX idx_audit_logs_resource IS 'strategic: history of one resource';
-- serves: audit search by JSONB details containment (details @> ...)
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_details ON audit_logs USING gin (details jsonb_path_ops);
COMMENT ON INDEX idx_audit_logs_details IS 'strategic: audit search by JSONB details containment (details @> ...)';
-- serves: time-range scans of the append-only log over long windows (exports, retention)
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_audit_logs_created_brin ON audit_logs USING brin (created_at) WITH (pages_per_range = 32);
COMMENT ON INDEX idx_audit_logs_created_brin IS 'strategic: time-range scans of the append-only log over long windows (exports, retention)';

-- security_events
-- serves: recent events of one IP and the per-IP figures of the top offenders (replaces the seed's illegal now()-based partial index)
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_security_events_recent_by_ip ON security_events (ip_address, created_at DESC) INCLUDE (risk_score, event_type);
COMMENT ON INDEX idx_security_events_recent_by_ip IS 'strategic: recent events of one IP and the per-IP figures of the top offenders (replaces the seed''s illegal now()-based partial index)';
-- serves: top offending IPs: failed-access events of the last hours counted per IP from the index
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_security_events_recent_failures ON security_events (created_at DESC) INCLUDE (ip_address) WHERE event_type IN ('login_failed', 'brute_force', 'mfa_failed', 'rate_limited');
COMMENT ON INDEX idx_security_events_recent_failures IS 'strategic: top offending IPs: failed-access events of the last hours counted per IP from the index';
-- serves: high-risk event monitoring
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_security_events_high_risk ON security_events (risk_score DESC, created_at DESC, event_type) WHERE risk_score > 70;
COMMENT ON INDEX idx_security_events_high_risk IS 'strategic: high-risk event monitoring';
-- serves: events of one type over time
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_security_events_type_time ON security_events (event_type, created_at DESC);
COMMENT ON INDEX idx_security_events_type_time IS 'strategic: events of one type over time';
-- serves: security events of one user
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_security_events_user ON security_events (user_id, created_at DESC) WHERE user_id IS NOT NULL;
COMMENT ON INDEX idx_security_events_user IS 'strategic: security events of one user';
-- serves: open incidents queue
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_security_events_unresolved ON security_events (created_at DESC) INCLUDE (risk_score, event_type) WHERE NOT resolved AND risk_score >= 50;
COMMENT ON INDEX idx_security_events_unresolved IS 'strategic: open incidents queue';
-- serves: event search by JSONB details containment
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_security_events_details ON security_events USING gin (details jsonb_path_ops);
COMMENT ON INDEX idx_security_events_details IS 'strategic: event search by JSONB details containment';
-- serves: time-range scans of the append-only table over long windows
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_security_events_created_brin ON security_events USING brin (created_at) WITH (pages_per_range = 32);
COMMENT ON INDEX idx_security_events_created_brin IS 'strategic: time-range scans of the append-only table over long windows';

-- backups
-- serves: enabled backup definitions by type
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_backups_enabled ON backups (backup_type, name) WHERE is_enabled;
COMMENT ON INDEX idx_backups_enabled IS 'strategic: enabled backup definitions by type';

-- backup_executions
-- serves: backup executions by status, newest first, from the index
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_backup_executions_status_time ON backup_executions (status, created_at DESC) INCLUDE (backup_id, backup_type, size_bytes, duration_seconds);
COMMENT ON INDEX idx_backup_executions_status_time IS 'strategic: backup executions by status, newest first, from the index';
-- serves: latest executions of one backup; also the foreign-key index
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_backup_executions_backup_time ON backup_executions (backup_id, created_at DESC);
COMMENT ON INDEX idx_backup_executions_backup_time IS 'strategic: latest executions of one backup; also the foreign-key index';
-- serves: failed backups, newest first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_backup_executions_failed ON backup_executions (created_at DESC) WHERE status = 'failed';
COMMENT ON INDEX idx_backup_executions_failed IS 'strategic: failed backups, newest first';
-- serves: running and stuck backups
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_backup_executions_active ON backup_executions (started_at) WHERE status IN ('pending', 'running');
COMMENT ON INDEX idx_backup_executions_active IS 'strategic: running and stuck backups';

-- backup_health_checks
-- serves: health checks by status, newest first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_backup_health_checks_status ON backup_health_checks (status, checked_at DESC, target_type) INCLUDE (health_score, check_type);
COMMENT ON INDEX idx_backup_health_checks_status IS 'strategic: health checks by status, newest first';
-- serves: latest health check per backup; also the foreign-key index
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_backup_health_checks_latest ON backup_health_checks (backup_id, checked_at DESC);
COMMENT ON INDEX idx_backup_health_checks_latest IS 'strategic: latest health check per backup; also the foreign-key index';
-- serves: unhealthy checks, newest first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_backup_health_checks_unhealthy ON backup_health_checks (checked_at DESC) WHERE status IN ('warning', 'critical');
COMMENT ON INDEX idx_backup_health_checks_unhealthy IS 'strategic: unhealthy checks, newest first';

-- projects
-- serves: projects of a user; also the foreign-key index
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_projects_user ON projects (user_id, created_at DESC);
COMMENT ON INDEX idx_projects_user IS 'strategic: projects of a user; also the foreign-key index';
-- serves: projects by status, recently updated first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_projects_status_time ON projects (status, updated_at DESC);
COMMENT ON INDEX idx_projects_status_time IS 'strategic: projects by status, recently updated first';
-- serves: project search by name
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_projects_name_trgm ON projects USING gin (name gin_trgm_ops);
COMMENT ON INDEX idx_projects_name_trgm IS 'strategic: project search by name';

-- pages
-- serves: pages of a set of projects (project_id = ANY(...)); also the foreign-key index
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pages_project ON pages (project_id, created_at DESC);
COMMENT ON INDEX idx_pages_project IS 'strategic: pages of a set of projects (project_id = ANY(...)); also the foreign-key index';
-- serves: scraping queue: pending and failed pages, oldest first
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pages_queue ON pages (status, created_at) WHERE status IN ('pending', 'failed');
COMMENT ON INDEX idx_pages_queue IS 'strategic: scraping queue: pending and failed pages, oldest first';
-- serves: recently scraped pages
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pages_scraped ON pages (scraped_at DESC) WHERE scraped_at IS NOT NULL;
COMMENT ON INDEX idx_pages_scraped IS 'strategic: recently scraped pages';

-- Fresh statistics so that the planner uses the new indexes at once.
ANALYZE users;
ANALYZE audit_logs;
ANALYZE security_events;
ANALYZE backups;
ANALYZE backup_executions;
ANALYZE backup_health_checks;
ANALYZE projects;
ANALYZE pages;

-- The migration's connection goes back to the application's pool: leave no session settings behind.
RESET lock_timeout;
RESET statement_timeout;
