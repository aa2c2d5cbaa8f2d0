package io.chronoperf.admin.repository;

import static io.chronoperf.admin.internal.Jdbc.instant;
import static io.chronoperf.admin.internal.Jdbc.nullableLong;

import io.chronoperf.admin.internal.Jdbc;
import io.chronoperf.admin.repository.Bounds.Cursor;
import io.chronoperf.admin.repository.Bounds.Page;
import io.chronoperf.runtime.ConflictException;
import io.chronoperf.runtime.InvalidParameterException;
import io.chronoperf.runtime.NotFoundException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Users: the dashboard counts, the approval queue, filtered listings with keyset pagination,
 * lookup by email, security status, and the admin writes (approve, reject, lock, unlock), each
 * written together with its audit log entry in one transaction. Thread-safe.
 */
public final class UserRepository {
    public static final Set<String> APPROVAL_STATUSES = Set.of("pending", "approved", "rejected");
    public static final Set<String> SORTS = Set.of("created_at", "risk_score");

    private static final String COLUMNS = "id, email, full_name, role, approval_status, is_active, is_locked,"
            + " is_verified, mfa_enabled, risk_score, failed_login_count, last_failed_login, last_login_at,"
            + " approved_by, approved_at, locked_reason, created_at, updated_at";

    private final Jdbc jdbc;

    public UserRepository(DataSource dataSource) {
        this(dataSource, dataSource);
    }

    /**
     * @param dataSource the primary: the writes, each in one transaction with what it reads
     * @param reads      the reads outside a write: the primary, or a data source that routes them to
     *                   replicas without losing a write acknowledged before the read started
     */
    public UserRepository(DataSource dataSource, DataSource reads) {
        this.jdbc = new Jdbc(dataSource, reads);
    }

    /** Counts by approval status and activity, plus the queue and lock figures an admin watches. */
    public record Dashboard(
            long total,
            Map<String, Long> byApprovalStatus,
            long active,
            long inactive,
            long pendingApproval,
            long locked,
            long highRisk,
            long signupsLast7Days) {}

    public Dashboard dashboard() {
        // The grouped counts come from the trigger-maintained rollup (V3__dashboard_rollups.sql):
        // exact, and six rows to read however many users there are. The small partial indexes
        // answer the rest.
        Map<String, Long> byStatus = new LinkedHashMap<>();
        long[] activity = new long[2];
        jdbc.list(
                "SELECT approval_status, is_active, users AS n FROM user_status_counts ORDER BY approval_status, "
                        + "is_active",
                rs -> {
                    long n = rs.getLong("n");
                    byStatus.merge(rs.getString("approval_status"), n, Long::sum);
                    activity[rs.getBoolean("is_active") ? 0 : 1] += n;
                    return null;
                });
        String sql = """
                SELECT (SELECT coalesce(sum(users), 0) FROM user_status_counts
                         WHERE approval_status = 'pending') AS pending,
                       (SELECT count(*) FROM users WHERE is_locked) AS locked,
                       (SELECT count(*) FROM users WHERE risk_score >= 70) AS high_risk,
                       (SELECT count(*) FROM users WHERE created_at >= now() - interval '7 days') AS signups""";
        long[] figures = jdbc.one(sql, rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)})
                .orElseThrow();
        return new Dashboard(
                activity[0] + activity[1],
                byStatus,
                activity[0],
                activity[1],
                figures[0],
                figures[1],
                figures[2],
                figures[3]);
    }

    /** Pending users, oldest first (who has waited longest), keyset-paginated. */
    public Page<User> approvalQueue(Integer limit, String cursor) {
        int n = Bounds.limit(limit);
        Cursor after = Cursor.decode(cursor);
        List<User> rows = after == null
                ? jdbc.list(
                        "SELECT " + COLUMNS + " FROM users WHERE approval_status = 'pending'"
                                + " ORDER BY created_at, id LIMIT ?",
                        UserRepository::map,
                        n + 1)
                : jdbc.list(
                        "SELECT " + COLUMNS + " FROM users WHERE approval_status = 'pending'"
                                + " AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?",
                        UserRepository::map,
                        after.instant(),
                        after.id(),
                        n + 1);
        return Page.of(rows, n, u -> Cursor.of(u.createdAt(), u.id()));
    }

    /** A user listing filter; null fields do not filter. */
    public record Filter(String approvalStatus, Boolean active, Boolean locked, String search, String sort) {
        public Filter {
            approvalStatus = Bounds.oneOf("approval_status", approvalStatus, APPROVAL_STATUSES);
            search = Bounds.text("q", search);
            if (search != null && search.isBlank()) {
                search = null;
            }
            if (search != null && search.strip().length() < 3) {
                throw new InvalidParameterException("q", "q must have at least 3 characters");
            }
            sort = sort == null ? "created_at" : Bounds.oneOf("sort", sort, SORTS);
        }
    }

    /** Users matching the filter, newest first (or riskiest first), keyset-paginated. */
    public Page<User> list(Filter filter, Integer limit, String cursor) {
        int n = Bounds.limit(limit);
        Cursor after = Cursor.decode(cursor);
        boolean byRisk = filter.sort().equals("risk_score");
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM users WHERE true");
        List<Object> params = new ArrayList<>();
        if (filter.approvalStatus() != null) {
            sql.append(" AND approval_status = ?");
            params.add(filter.approvalStatus());
        }
        if (filter.active() != null) {
            sql.append(" AND is_active = ?");
            params.add(filter.active());
        }
        if (filter.locked() != null) {
            sql.append(" AND is_locked = ?");
            params.add(filter.locked());
        }
        if (filter.search() != null) {
            // Substring search, served by the trigram indexes; LIKE wildcards in the input are literal.
            String pattern = "%"
                    + filter.search()
                            .strip()
                            .toLowerCase(Locale.ROOT)
                            .replace("\\", "\\\\")
                            .replace("%", "\\%")
                            .replace("_", "\\_")
                    + "%";
            sql.append(" AND (email LIKE ? OR full_name ILIKE ?)");
            params.add(pattern);
            params.add(pattern);
        }
        if (after != null) {
            sql.append(byRisk ? " AND (risk_score, id) < (?, ?)" : " AND (created_at, id) < (?, ?)");
            params.add(byRisk ? (Object) (int) after.sortKey() : after.instant());
            params.add(after.id());
        }
        sql.append(byRisk ? " ORDER BY risk_score DESC, id DESC" : " ORDER BY created_at DESC, id DESC");
        sql.append(" LIMIT ?");
        params.add(n + 1);
        List<User> rows = jdbc.list(sql.toString(), UserRepository::map, params.toArray());
        return Page.of(rows, n, u -> byRisk ? new Cursor(u.riskScore(), u.id()) : Cursor.of(u.createdAt(), u.id()));
    }

    public Optional<User> byId(long id) {
        return jdbc.one("SELECT " + COLUMNS + " FROM users WHERE id = ?", UserRepository::map, id);
    }

    public Optional<User> byEmail(String email) {
        String normalized = Bounds.text("email", email).strip().toLowerCase(Locale.ROOT);
        return jdbc.one("SELECT " + COLUMNS + " FROM users WHERE email = ?", UserRepository::map, normalized);
    }

    /** The riskiest accounts (risk at least {@code minRisk}) with the lock and MFA figures. */
    public record SecurityStatus(
            int minRisk, long locked, long highRisk, long highRiskWithoutMfa, List<User> riskiest) {}

    public SecurityStatus securityStatus(Integer minRisk, Integer limit) {
        int min = Bounds.range("min_risk", minRisk, 70, 100, 70); // >= 70: the partial index's range
        int n = Bounds.limit(limit);
        List<User> riskiest = jdbc.list(
                "SELECT " + COLUMNS + " FROM users WHERE risk_score >= ?" + " ORDER BY risk_score DESC, id LIMIT ?",
                UserRepository::map,
                min,
                n);
        String sql = """
                SELECT (SELECT count(*) FROM users WHERE is_locked),
                       count(*), count(*) FILTER (WHERE NOT mfa_enabled)
                  FROM users WHERE risk_score >= ?""";
        long[] counts = jdbc.one(sql, rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, min)
                .orElseThrow();
        return new SecurityStatus(min, counts[0], counts[1], counts[2], riskiest);
    }

    /**
     * An admin's decision about a pending user.
     *
     * @param actor who decides (recorded in the audit entry)
     */
    public User approve(long userId, Actor actor) {
        return decide(userId, actor, "approved", "approve_user");
    }

    public User reject(long userId, Actor actor) {
        return decide(userId, actor, "rejected", "reject_user");
    }

    private User decide(long userId, Actor actor, String status, String action) {
        return jdbc.transaction(c -> {
            User user = lockRow(c, userId);
            if (!user.approvalStatus().equals("pending")) {
                throw new ConflictException("User " + userId + " is already " + user.approvalStatus()
                        + "; only pending users can be approved or rejected");
            }
            Jdbc.update(
                    c,
                    "UPDATE users SET approval_status = ?, approved_by = ?, approved_at = now(), updated_at = now()"
                            + " WHERE id = ?",
                    status,
                    adminBinding(c, actor.adminId()),
                    userId);
            audit(
                    c,
                    actor,
                    userId,
                    action,
                    "{\"field\": \"approval_status\", \"from\": \"pending\", \"to\": \"" + status + "\"}");
            return reload(c, userId);
        });
    }

    public User lock(long userId, Actor actor, String reason) {
        String why = Bounds.text(
                "reason", reason == null || reason.isBlank() ? "locked by an administrator" : reason.strip());
        return jdbc.transaction(c -> {
            User user = lockRow(c, userId);
            if (user.isLocked()) {
                throw new ConflictException("User " + userId + " is already locked");
            }
            Jdbc.update(
                    c,
                    "UPDATE users SET is_locked = true, locked_reason = ?, updated_at = now() WHERE id = ?",
                    why,
                    userId);
            audit(c, actor, userId, "lock_user", "{\"field\": \"is_locked\", \"to\": true}", why);
            return reload(c, userId);
        });
    }

    public User unlock(long userId, Actor actor) {
        return jdbc.transaction(c -> {
            User user = lockRow(c, userId);
            if (!user.isLocked()) {
                throw new ConflictException("User " + userId + " is not locked");
            }
            Jdbc.update(
                    c,
                    "UPDATE users SET is_locked = false, locked_reason = NULL, failed_login_count = 0,"
                            + " updated_at = now() WHERE id = ?",
                    userId);
            audit(c, actor, userId, "unlock_user", "{\"field\": \"is_locked\", \"to\": false}");
            return reload(c, userId);
        });
    }

    private static User lockRow(Connection c, long userId) throws SQLException {
        List<User> rows =
                Jdbc.list(c, "SELECT " + COLUMNS + " FROM users WHERE id = ? FOR UPDATE", UserRepository::map, userId);
        if (rows.isEmpty()) {
            throw new NotFoundException("There is no user with id " + userId);
        }
        return rows.get(0);
    }

    private static User reload(Connection c, long userId) throws SQLException {
        return Jdbc.list(c, "SELECT " + COLUMNS + " FROM users WHERE id = ?", UserRepository::map, userId)
                .get(0);
    }

    /**
     * approved_by references users; an admin known only to the token (id 0, or no such row)
     * leaves it null, and the audit entry still records the decision.
     */
    private static Long adminBinding(Connection c, long adminId) throws SQLException {
        if (adminId <= 0) {
            return null;
        }
        return Jdbc.list(c, "SELECT id FROM users WHERE id = ?", rs -> rs.getLong(1), adminId)
                        .isEmpty()
                ? null
                : adminId;
    }

    /** The audit entry of a write, in its transaction: the actor's id, subject, IP address and user agent. */
    private static void audit(Connection c, Actor actor, long userId, String action, String changes)
            throws SQLException {
        audit(c, actor, userId, action, changes, null);
    }

    /** As above, with the reason the admin gave (kept in details.reason when there is one). */
    private static void audit(Connection c, Actor actor, long userId, String action, String changes, String reason)
            throws SQLException {
        Jdbc.update(
                c,
                "INSERT INTO audit_logs (admin_user_id, user_id, category, action, severity, success,"
                        + " resource_type, resource_id, ip_address, user_agent, details) VALUES (?, ?, "
                        + "'user_management', ?,"
                        + " 'medium', true, 'user', ?, ?::inet, ?,"
                        + " jsonb_strip_nulls(jsonb_build_object('changes', ?::jsonb, 'source', 'admin-api', 'actor', "
                        + "?::text,"
                        + " 'reason', ?::text)))",
                actor.adminId() > 0 ? actor.adminId() : null,
                userId,
                action,
                Long.toString(userId),
                actor.ip(),
                actor.userAgent(),
                changes,
                actor.subject(),
                reason);
    }

    static User map(ResultSet rs) throws SQLException {
        return new User(
                rs.getLong("id"),
                rs.getString("email"),
                rs.getString("full_name"),
                rs.getString("role"),
                rs.getString("approval_status"),
                rs.getBoolean("is_active"),
                rs.getBoolean("is_locked"),
                rs.getBoolean("is_verified"),
                rs.getBoolean("mfa_enabled"),
                rs.getInt("risk_score"),
                rs.getInt("failed_login_count"),
                instant(rs, "last_failed_login"),
                instant(rs, "last_login_at"),
                nullableLong(rs, "approved_by"),
                instant(rs, "approved_at"),
                rs.getString("locked_reason"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }
}
