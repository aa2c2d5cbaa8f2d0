package io.chronoperf.admin.seed;

import static io.chronoperf.admin.seed.Vocabulary.geometric;
import static io.chronoperf.admin.seed.Vocabulary.pick;
import static io.chronoperf.admin.seed.Vocabulary.weighted;

import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.postgresql.copy.CopyManager;

/**
 * Generates each admin table's rows and streams them with COPY FREEZE. Every table draws from its
 * own random stream derived from the seed, so a table's content does not depend on the others;
 * timestamps are relative to {@code now}, so the same seed gives the same data relative to the
 * load time. Ids are assigned here, in time order, so that append-only tables are physically
 * ordered by created_at (what makes their BRIN indexes useful).
 */
final class TableGenerators {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final int REPORT_EVERY = 10_000;
    private static final int[] HTTP_ERRORS = {404, 500, 503};
    private static final String[] SETTINGS = {"session_ttl", "mfa_required", "rate_limit", "backup_window"};
    private static final String[] ERRORS = {"permission_denied", "timeout", "conflict", "validation_failed"};
    private static final String[] SIGNALS = {"geo_velocity", "new_device", "tor_exit", "token_reuse"};
    private static final String[] BACKUP_ERRORS = {
        "upload timed out", "checksum mismatch", "disk full on target", "credentials expired"
    };

    private final Scale scale;
    private final long seed;
    private final long now;
    private final LongConsumer progress;
    /** Users 1..staff are the admin staff; audit activity is Zipf-skewed across them. */
    private final int staff;

    private final Zipf staffActivity;

    /**
     * @param progress receives row counts as they are written (increments, from the loading thread)
     */
    TableGenerators(Scale scale, long seed, long now, LongConsumer progress) {
        this.scale = scale;
        this.seed = seed;
        this.now = now;
        this.progress = progress;
        this.staff = Math.max(10, scale.users / 200);
        this.staffActivity = new Zipf(staff, 1.1);
    }

    private SplittableRandom random(String table) {
        return new SplittableRandom(seed * 31 + table.hashCode());
    }

    /** Monotonic timestamps over {@code span} ending at now, denser towards now (linear growth). */
    private long growingTime(long i, long n, long span, SplittableRandom rnd) {
        double x = (i + rnd.nextDouble()) / n;
        return now - (long) (span * (1 - Math.sqrt(x)));
    }

    private CopyWriter open(CopyManager copy, String table, String columns) throws SQLException {
        return new CopyWriter(copy, table, columns);
    }

    private void row(CopyWriter w) throws SQLException {
        w.endRow();
        if (w.rows() % REPORT_EVERY == 0) {
            progress.accept(REPORT_EVERY);
        }
    }

    private long finish(CopyWriter w) throws SQLException {
        long rows = w.finish();
        progress.accept(rows % REPORT_EVERY);
        return rows;
    }

    long users(CopyManager copy) throws SQLException {
        SplittableRandom rnd = random("users");
        long span = 3 * 365 * DAY;
        try (CopyWriter w = open(
                copy,
                "users",
                "id, email, full_name, role, approval_status, is_active, is_locked,"
                        + " is_verified, mfa_enabled, risk_score, failed_login_count, last_failed_login, last_login_at,"
                        + " approved_by, approved_at, locked_reason, created_at, updated_at")) {
            for (int id = 1; id <= scale.users; id++) {
                boolean isStaff = id <= staff;
                // Staff accounts are the oldest; everyone else signs up at a growing rate.
                long created = isStaff ? now - span - (staff - id) * HOUR : growingTime(id, scale.users, span, rnd);
                String first = pick(rnd, Vocabulary.FIRST);
                String last = pick(rnd, Vocabulary.LAST);
                String role = !isStaff ? "user" : id <= Math.max(2, staff / 10) ? "superadmin" : "admin";
                int draw = rnd.nextInt(100);
                String approval;
                if (isStaff) {
                    approval = "approved";
                } else if (now - created < 7 * DAY) {
                    approval = draw < 55 ? "pending" : draw < 97 ? "approved" : "rejected";
                } else {
                    approval = draw < 3 ? "pending" : draw < 96 ? "approved" : "rejected";
                }
                // Risk: mostly low with a long tail (exponential, mean about 10).
                int risk = (int) Math.min(100, Math.floor(-Math.log(1 - rnd.nextDouble()) * 10));
                boolean locked = !isStaff && (risk >= 80 ? rnd.nextInt(100) < 60 : rnd.nextInt(1000) < 8);
                boolean hadFailure = locked || rnd.nextInt(100) < 20 + risk / 2;
                long lastFailure = hadFailure ? now - (long) (rnd.nextDouble() * 60 * DAY) : 0;
                long updated = Math.max(created, locked ? now - (long) (rnd.nextDouble() * 30 * DAY) : created);
                w.int8(id)
                        .text(first + "." + last + "." + id + "@" + pick(rnd, Vocabulary.DOMAINS))
                        .text(cap(first) + " " + cap(last))
                        .text(role)
                        .text(approval)
                        .bool(isStaff || rnd.nextInt(100) < 94)
                        .bool(locked)
                        .bool(isStaff || rnd.nextInt(100) < 88)
                        .bool(isStaff ? rnd.nextInt(100) < 90 : rnd.nextInt(100) < 30)
                        .int2(risk)
                        .int4(hadFailure ? geometric(rnd, 2 + risk / 10.0) : 0);
                if (hadFailure) {
                    w.timestamp(lastFailure);
                } else {
                    w.nul();
                }
                if (rnd.nextInt(100) < 85) {
                    w.timestamp(created + (long) (rnd.nextDouble() * (now - created)));
                } else {
                    w.nul();
                }
                if (approval.equals("pending") || isStaff) {
                    w.nul();
                    if (isStaff) {
                        w.timestamp(created);
                    } else {
                        w.nul();
                    }
                } else {
                    w.int8(1 + rnd.nextInt(staff))
                            .timestamp(Math.min(now, created + (long) (rnd.nextDouble() * 3 * DAY)));
                }
                w.text(locked ? (risk >= 80 ? "automatic: risk score " + risk : "manual: reported by support") : null)
                        .timestamp(created)
                        .timestamp(updated);
                row(w);
            }
            return finish(w);
        }
    }

    long auditLogs(CopyManager copy) throws SQLException {
        SplittableRandom rnd = random("audit_logs");
        long n = scale.auditLogs;
        try (CopyWriter w = open(
                copy,
                "audit_logs",
                "id, created_at, admin_user_id, user_id, category, action, severity,"
                        + " success, resource_type, resource_id, affected_count, ip_address, user_agent, details")) {
            StringBuilder json = new StringBuilder(256);
            for (long id = 1; id <= n; id++) {
                int cat = weighted(rnd, Vocabulary.CATEGORY_WEIGHTS);
                String category = Vocabulary.CATEGORIES[cat];
                String action = pick(rnd, Vocabulary.ACTIONS[cat]);
                boolean system = rnd.nextInt(100) < 12;
                int admin = 1 + staffActivity.next(rnd);
                int severity =
                        weighted(rnd, cat == 2 ? Vocabulary.SECURITY_SEVERITY_WEIGHTS : Vocabulary.SEVERITY_WEIGHTS);
                boolean success = rnd.nextInt(100) < (severity >= 3 ? 80 : 96);
                boolean bulk = cat == 0 && rnd.nextInt(100) < 5 || cat == 6;
                int affected = bulk ? geometric(rnd, 200) : 1;
                long targetUser = cat <= 1 ? 1 + (long) (scale.users * Math.sqrt(rnd.nextDouble())) : 0;
                w.int8(id).timestamp(growingTime(id, n, 365 * DAY, rnd));
                if (system) {
                    w.nul();
                } else {
                    w.int8(admin);
                }
                if (targetUser > 0) {
                    w.int8(Math.min(targetUser, scale.users));
                } else {
                    w.nul();
                }
                w.text(category)
                        .text(action)
                        .text(Vocabulary.SEVERITIES[severity])
                        .bool(success)
                        .text(Vocabulary.RESOURCE_TYPES[cat])
                        .text(
                                targetUser > 0
                                        ? Long.toString(Math.min(targetUser, scale.users))
                                        : Integer.toString(rnd.nextInt(5000)))
                        .int4(affected);
                if (system) {
                    w.nul().nul();
                } else {
                    w.ipv4(rnd.nextInt(100) < 80 ? homeAddress(admin) : rnd.nextInt())
                            .text(Vocabulary.USER_AGENTS[rnd.nextInt(100) < 70 ? admin % 3 : rnd.nextInt(5)]);
                }
                w.jsonb(auditDetails(json, rnd, cat, action, success, affected));
                row(w);
            }
            return finish(w);
        }
    }

    private static String auditDetails(
            StringBuilder j, SplittableRandom rnd, int cat, String action, boolean success, int affected) {
        j.setLength(0);
        j.append("{\"request_id\": \"").append(Long.toHexString(rnd.nextLong())).append('"');
        j.append(", \"duration_ms\": ").append(geometric(rnd, 40));
        switch (cat) {
            case 0 ->
                j.append(", \"changes\": {\"field\": \"")
                        .append(
                                action.contains("lock")
                                        ? "is_locked"
                                        : action.contains("approve") || action.contains("reject")
                                                ? "approval_status"
                                                : "profile")
                        .append("\", \"reason\": \"")
                        .append(rnd.nextBoolean() ? "policy" : "support_ticket")
                        .append("\"}");
            case 1 ->
                j.append(", \"method\": \"")
                        .append(rnd.nextInt(10) < 7 ? "password+totp" : "sso")
                        .append('"');
            case 2 ->
                j.append(", \"rule\": \"R-")
                        .append(100 + rnd.nextInt(40))
                        .append("\", \"threshold\": ")
                        .append(5 + rnd.nextInt(20));
            case 3 ->
                j.append(", \"setting\": \"")
                        .append(pick(rnd, SETTINGS))
                        .append("\", \"old\": ")
                        .append(rnd.nextInt(100))
                        .append(", \"new\": ")
                        .append(rnd.nextInt(100));
            case 4 ->
                j.append(", \"backup_id\": ")
                        .append(1 + rnd.nextInt(400))
                        .append(", \"size_mb\": ")
                        .append(geometric(rnd, 5000));
            case 5 -> j.append(", \"project_id\": ").append(1 + rnd.nextInt(200_000));
            default ->
                j.append(", \"format\": \"")
                        .append(rnd.nextBoolean() ? "csv" : "jsonl")
                        .append("\", \"rows\": ")
                        .append(affected);
        }
        if (!success) {
            j.append(", \"error\": \"").append(pick(rnd, ERRORS)).append('"');
        }
        if (rnd.nextInt(10) == 0) {
            j.append(", \"ticket\": \"OPS-").append(1000 + rnd.nextInt(9000)).append('"');
        }
        if (rnd.nextInt(10) < 3) {
            j.append(", \"client\": {\"app\": \"admin-ui\", \"version\": \"2.")
                    .append(rnd.nextInt(6))
                    .append(".")
                    .append(rnd.nextInt(10))
                    .append("\"}");
        }
        return j.append('}').toString();
    }

    long securityEvents(CopyManager copy) throws SQLException {
        SplittableRandom rnd = random("security_events");
        long n = scale.securityEvents;
        int attackers = Math.max(10, scale.users / 10_000);
        Zipf attackerActivity = new Zipf(attackers, 1.0);
        long burstLeft = 0;
        int burstIp = 0;
        try (CopyWriter w = open(
                copy,
                "security_events",
                "id, created_at, event_type, ip_address, user_id, risk_score, resolved, country_code, details")) {
            for (long id = 1; id <= n; id++) {
                long created = growingTime(id, n, 90 * DAY, rnd);
                if (burstLeft == 0 && rnd.nextInt(1000) < 2) {
                    // A burst: a few hundred failed logins or rate-limit hits from one attacker IP.
                    burstLeft = geometric(rnd, 250);
                    burstIp = attackerAddress(attackerActivity.next(rnd));
                }
                int type;
                int ip;
                long user;
                if (burstLeft > 0) {
                    burstLeft--;
                    int r = rnd.nextInt(10);
                    type = r < 6 ? 1 : r < 9 ? 8 : 5;
                    ip = burstIp;
                    user = 1 + rnd.nextInt(scale.users);
                } else {
                    type = weighted(rnd, Vocabulary.EVENT_WEIGHTS);
                    user = rnd.nextInt(100) < 90 ? 1 + rnd.nextInt(scale.users) : 0;
                    ip = user > 0 && rnd.nextInt(100) < 85 ? homeAddress(user) : rnd.nextInt();
                }
                int risk = Math.min(100, Vocabulary.EVENT_BASE_RISK[type] + rnd.nextInt(16) + (burstLeft > 0 ? 10 : 0));
                boolean old = now - created > 3 * DAY;
                w.int8(id).timestamp(created).text(Vocabulary.EVENT_TYPES[type]).ipv4(ip);
                if (user > 0) {
                    w.int8(user);
                } else {
                    w.nul();
                }
                w.int2(risk)
                        .bool(risk < 30 || rnd.nextInt(100) < (old ? 90 : 40))
                        .text(Vocabulary.COUNTRIES[Math.floorMod(ip, Vocabulary.COUNTRIES.length)])
                        .jsonb("{\"attempts\": " + (1 + rnd.nextInt(type == 1 || type == 8 ? 20 : 2))
                                + (rnd.nextInt(4) == 0 ? ", \"asn\": " + (1000 + Math.floorMod(ip >>> 8, 60000)) : "")
                                + (type >= 6 ? ", \"signal\": \"" + pick(rnd, SIGNALS) + "\"" : "") + "}");
                row(w);
            }
            return finish(w);
        }
    }

    long backups(CopyManager copy) throws SQLException {
        SplittableRandom rnd = random("backups");
        try (CopyWriter w =
                open(copy, "backups", "id, name, backup_type, target, schedule_cron, is_enabled, created_at")) {
            for (int id = 1; id <= scale.backups; id++) {
                String type = Vocabulary.BACKUP_TYPES[id % Vocabulary.BACKUP_TYPES.length];
                w.int8(id)
                        .text(type + "-" + pick(rnd, Vocabulary.PROJECT_WORDS) + "-" + id)
                        .text(type)
                        .text("s3://backups-" + (id % 7) + "/" + type + "/" + id)
                        .text((id * 7 % 60) + " */6 * * *")
                        .bool(rnd.nextInt(100) < 92)
                        .timestamp(now - 400 * DAY + id * HOUR);
                row(w);
            }
            return finish(w);
        }
    }

    long backupExecutions(CopyManager copy) throws SQLException {
        SplittableRandom rnd = random("backup_executions");
        long slots = 4 * 90;
        long id = 0;
        try (CopyWriter w = open(
                copy,
                "backup_executions",
                "id, backup_id, backup_type, status, created_at, started_at,"
                        + " completed_at, size_bytes, compressed_size_bytes, duration_seconds, error_message")) {
            for (long slot = 0; slot < slots; slot++) {
                long slotTime = now - (slots - slot) * 6 * HOUR;
                boolean latest = slot == slots - 1;
                for (int backup = 1; backup <= scale.backups; backup++) {
                    id++;
                    long created = slotTime + backup * 5_000L;
                    int r = rnd.nextInt(100);
                    String status = latest && r < 30
                            ? (r < 10 ? "pending" : "running")
                            : r < 93 ? "completed" : r < 98 ? "failed" : "cancelled";
                    long size = (long) (Math.exp(20 + rnd.nextGaussian() * 1.2)); // about 500 MB, log-normal
                    int duration = (int) Math.max(5, size / (40_000_000L + rnd.nextInt(40_000_000)));
                    long started = created + 1_000 + rnd.nextInt(60_000);
                    w.int8(id)
                            .int8(backup)
                            .text(Vocabulary.BACKUP_TYPES[backup % 4])
                            .text(status)
                            .timestamp(created);
                    if (status.equals("pending")) {
                        w.nul();
                    } else {
                        w.timestamp(started);
                    }
                    boolean done = status.equals("completed") || status.equals("failed") || status.equals("cancelled");
                    if (done) {
                        w.timestamp(started + duration * 1000L);
                    } else {
                        w.nul();
                    }
                    if (status.equals("completed")) {
                        w.int8(size)
                                .int8(size / (2 + rnd.nextInt(4)))
                                .int4(duration)
                                .nul();
                    } else {
                        w.nul().nul();
                        if (done) {
                            w.int4(duration / 3);
                        } else {
                            w.nul();
                        }
                        w.text(status.equals("failed") ? pick(rnd, BACKUP_ERRORS) : null);
                    }
                    row(w);
                }
            }
            return finish(w);
        }
    }

    long healthChecks(CopyManager copy) throws SQLException {
        SplittableRandom rnd = random("backup_health_checks");
        long id = 0;
        try (CopyWriter w = open(
                copy,
                "backup_health_checks",
                "id, backup_id, target_type, check_type, status," + " health_score, checked_at, message, details")) {
            for (int day = 30; day >= 1; day--) {
                for (int backup = 1; backup <= scale.backups; backup++) {
                    for (int t = 0; t < 4; t++) {
                        id++;
                        int score = Math.max(0, Math.min(100, 92 - (int) Math.abs(rnd.nextGaussian() * 15)));
                        String status = score >= 80 ? "healthy" : score >= 50 ? "warning" : "critical";
                        w.int8(id)
                                .int8(backup)
                                .text(Vocabulary.TARGET_TYPES[t])
                                .text(Vocabulary.CHECK_TYPES[t])
                                .text(status)
                                .int2(score)
                                .timestamp(now - day * DAY + backup * 10_000L + t * 1_000L)
                                .text(status.equals("healthy") ? "ok" : "score " + score + " below threshold")
                                .jsonb("{\"latency_ms\": " + geometric(rnd, 80) + "}");
                        row(w);
                    }
                }
            }
            return finish(w);
        }
    }

    long projects(CopyManager copy) throws SQLException {
        SplittableRandom rnd = random("projects");
        try (CopyWriter w =
                open(copy, "projects", "id, user_id, name, description, status, is_public, created_at, updated_at")) {
            for (int id = 1; id <= scale.projects; id++) {
                long created = growingTime(id, scale.projects, 2 * 365 * DAY, rnd);
                String word = pick(rnd, Vocabulary.PROJECT_WORDS);
                int r = rnd.nextInt(100);
                w.int8(id)
                        .int8(1 + staff + rnd.nextInt(scale.users - staff))
                        .text(word + " " + pick(rnd, Vocabulary.PROJECT_WORDS) + " " + id)
                        .text(rnd.nextInt(3) == 0 ? null : "Collection of " + word + " pages")
                        .text(r < 75 ? "active" : r < 92 ? "archived" : "draft")
                        .bool(rnd.nextInt(100) < 20)
                        .timestamp(created)
                        .timestamp(created + (long) (rnd.nextDouble() * (now - created)));
                row(w);
            }
            return finish(w);
        }
    }

    long pages(CopyManager copy) throws SQLException {
        SplittableRandom rnd = random("pages");
        double mean = (double) scale.pages / scale.projects;
        long id = 0;
        try (CopyWriter w = open(
                copy,
                "pages",
                "id, project_id, url, title, status, http_status, content_length," + " scraped_at, created_at")) {
            for (int project = 1; project <= scale.projects && id < scale.pages; project++) {
                int count = (int) Math.min(scale.pages - id, geometric(rnd, mean));
                for (int k = 0; k < count; k++) {
                    id++;
                    long created = now - (long) (rnd.nextDouble() * 365 * DAY);
                    int r = rnd.nextInt(100);
                    String status = r < 55 ? "indexed" : r < 85 ? "scraped" : r < 95 ? "pending" : "failed";
                    boolean fetched = status.equals("indexed") || status.equals("scraped");
                    w.int8(id)
                            .int8(project)
                            .text("https://site" + (project % 997) + ".example.com/p/" + id)
                            .text(fetched ? "Page " + id : null)
                            .text(status);
                    if (status.equals("pending")) {
                        w.nul().nul().nul();
                    } else {
                        w.int2(fetched ? 200 : HTTP_ERRORS[rnd.nextInt(3)])
                                .int4(fetched ? geometric(rnd, 40_000) : 0)
                                .timestamp(created + (long) (rnd.nextDouble() * Math.max(1, now - created)));
                    }
                    w.timestamp(created);
                    row(w);
                }
            }
            return finish(w);
        }
    }

    /** A stable "home" address per account, so that an admin's actions mostly come from one IP. */
    private static int homeAddress(long accountId) {
        long h = accountId * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) | 0x01000000; // never 0.x.x.x
    }

    private static int attackerAddress(int rank) {
        return 0xC6336400 + rank; // 198.51.100.0/24 and up: documentation ranges, clearly not a real attacker
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
