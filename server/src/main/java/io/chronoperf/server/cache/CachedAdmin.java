package io.chronoperf.server.cache;

import static io.chronoperf.server.cache.AdminNamespaces.AUDIT;
import static io.chronoperf.server.cache.AdminNamespaces.BACKUP;
import static io.chronoperf.server.cache.AdminNamespaces.DASHBOARD;
import static io.chronoperf.server.cache.AdminNamespaces.SECURITY;
import static io.chronoperf.server.cache.AdminNamespaces.USERS;

import io.chronoperf.admin.repository.AuditLogRepository;
import io.chronoperf.admin.repository.BackupRepository;
import io.chronoperf.admin.repository.Bounds.Page;
import io.chronoperf.admin.repository.ProjectRepository;
import io.chronoperf.admin.repository.SecurityEventRepository;
import io.chronoperf.admin.repository.User;
import io.chronoperf.admin.repository.UserRepository;
import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheKey;
import io.chronoperf.cache.Warmer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;

/**
 * The admin API's reads through the two-level cache, and the invalidations its writes need.
 * Namespaces ({@link AdminNamespaces}) follow the seed's table: the dashboard counts in
 * {@code dashboard}, users and their projects in {@code users}, the audit trail in {@code audit},
 * security events in {@code security}, backups in {@code backup}. Parameters are validated by the repositories before
 * anything is
 * cached (a bad request never reaches the cache: the key is built from the raw parameters, but
 * the loader throws before a value exists).
 */
@Component
public class CachedAdmin {
    private final AdminCache cache;
    private final UserRepository users;
    private final AuditLogRepository audit;
    private final SecurityEventRepository security;
    private final BackupRepository backups;
    private final ProjectRepository projects;

    public CachedAdmin(
            AdminCache cache,
            UserRepository users,
            AuditLogRepository audit,
            SecurityEventRepository security,
            BackupRepository backups,
            ProjectRepository projects) {
        this.cache = cache;
        this.users = users;
        this.audit = audit;
        this.security = security;
        this.backups = backups;
        this.projects = projects;
        cache.require(DASHBOARD, USERS, AUDIT, SECURITY, BACKUP);
    }

    public UserRepository.Dashboard dashboard() {
        return cache.get(cache.key(DASHBOARD, "user_counts").build(), UserRepository.Dashboard.class, users::dashboard);
    }

    public Page<User> approvalQueue(Integer limit, String cursor) {
        CacheKey key = cache.key(USERS, "approval_queue")
                .param("limit", limit)
                .param("cursor", cursor)
                .build();
        return cache.get(key, new TypeReference<Page<User>>() {}, () -> users.approvalQueue(limit, cursor));
    }

    public Page<User> list(UserRepository.Filter f, Integer limit, String cursor) {
        CacheKey key = cache.key(USERS, "list")
                .param("status", f.approvalStatus())
                .param("active", f.active())
                .param("locked", f.locked())
                .param("q", f.search())
                .param("sort", f.sort())
                .param("limit", limit)
                .param("cursor", cursor)
                .build();
        return cache.get(key, new TypeReference<Page<User>>() {}, () -> users.list(f, limit, cursor));
    }

    public Optional<User> byId(long id) {
        CacheKey key = cache.key(USERS, "by_id").param("id", id).build();
        return Optional.ofNullable(
                cache.get(key, User.class, () -> users.byId(id).orElse(null)));
    }

    public Optional<User> byEmail(String email) {
        CacheKey key = cache.key(USERS, "by_email")
                .param("email", email == null ? null : email.strip().toLowerCase(java.util.Locale.ROOT))
                .build();
        return Optional.ofNullable(
                cache.get(key, User.class, () -> users.byEmail(email).orElse(null)));
    }

    public UserRepository.SecurityStatus securityStatus(Integer minRisk, Integer limit) {
        CacheKey key = cache.key(USERS, "security_status")
                .param("min_risk", minRisk)
                .param("limit", limit)
                .build();
        return cache.get(key, UserRepository.SecurityStatus.class, () -> users.securityStatus(minRisk, limit));
    }

    public List<ProjectRepository.Project> projects(long userId, Integer limit, Integer pagesPerProject) {
        CacheKey key = cache.key(USERS, "projects")
                .param("user_id", userId)
                .param("limit", limit)
                .param("pages", pagesPerProject)
                .build();
        return cache.get(
                key,
                new TypeReference<List<ProjectRepository.Project>>() {},
                () -> projects.withPages(userId, limit, pagesPerProject));
    }

    public Page<AuditLogRepository.Entry> auditLogs(AuditLogRepository.Filter f, Integer limit, String cursor) {
        CacheKey key = cache.key(AUDIT, "list")
                .param("admin", f.adminUserId())
                .param("category", f.category())
                .param("severity", f.severity())
                .param("success", f.success())
                .param("from", f.from())
                .param("to", f.to())
                .param("limit", limit)
                .param("cursor", cursor)
                .build();
        return cache.get(
                key, new TypeReference<Page<AuditLogRepository.Entry>>() {}, () -> audit.list(f, limit, cursor));
    }

    public AuditLogRepository.Stats auditStats(Instant from, Instant to, String bucket) {
        CacheKey key = cache.key(AUDIT, "stats")
                .param("from", from)
                .param("to", to)
                .param("bucket", bucket)
                .build();
        return cache.get(key, AuditLogRepository.Stats.class, () -> audit.stats(from, to, bucket));
    }

    public List<SecurityEventRepository.Event> recentByIp(String ip, Integer hours, Integer limit) {
        CacheKey key = cache.key(SECURITY, "recent_by_ip")
                .param("ip", ip)
                .param("hours", hours)
                .param("limit", limit)
                .build();
        return cache.get(
                key,
                new TypeReference<List<SecurityEventRepository.Event>>() {},
                () -> security.recentByIp(ip, hours, limit));
    }

    public List<SecurityEventRepository.Offender> topOffenders(Integer hours, Integer limit) {
        CacheKey key = cache.key(SECURITY, "top_ips")
                .param("hours", hours)
                .param("limit", limit)
                .build();
        return cache.get(
                key,
                new TypeReference<List<SecurityEventRepository.Offender>>() {},
                () -> security.topOffenders(hours, limit));
    }

    public Page<SecurityEventRepository.Event> highRisk(Integer minRisk, Integer limit, String cursor) {
        CacheKey key = cache.key(SECURITY, "high_risk")
                .param("min_risk", minRisk)
                .param("limit", limit)
                .param("cursor", cursor)
                .build();
        return cache.get(
                key,
                new TypeReference<Page<SecurityEventRepository.Event>>() {},
                () -> security.highRisk(minRisk, limit, cursor));
    }

    public Page<BackupRepository.Execution> executions(String status, Integer limit, String cursor) {
        CacheKey key = cache.key(BACKUP, "executions")
                .param("status", status)
                .param("limit", limit)
                .param("cursor", cursor)
                .build();
        return cache.get(
                key,
                new TypeReference<Page<BackupRepository.Execution>>() {},
                () -> backups.executions(status, limit, cursor));
    }

    public List<BackupRepository.HealthCheck> backupHealth(Integer limit) {
        CacheKey key = cache.key(BACKUP, "health").param("limit", limit).build();
        return cache.get(
                key, new TypeReference<List<BackupRepository.HealthCheck>>() {}, () -> backups.latestHealth(limit));
    }

    /**
     * After a decision about a user (approve, reject, lock, unlock): the user rows, the dashboard
     * counts and the audit trail (which gained an entry) are stale; security events and backups are not.
     */
    public void afterUserWrite() {
        cache.invalidateNamespace(USERS);
        cache.invalidateNamespace(DASHBOARD);
        cache.invalidateNamespace(AUDIT);
    }

    /** The popular keys of each namespace: what an admin's first page load asks for. */
    public void registerWarmers() {
        cache.registerWarmer(
                DASHBOARD,
                () -> List.of(task(
                        cache.key(DASHBOARD, "user_counts").build(),
                        new TypeReference<UserRepository.Dashboard>() {},
                        users::dashboard)));
        cache.registerWarmer(
                USERS,
                () -> List.of(
                        task(
                                cache.key(USERS, "approval_queue").build(),
                                new TypeReference<Page<User>>() {},
                                () -> users.approvalQueue(null, null)),
                        task(
                                cache.key(USERS, "list")
                                        .param("sort", "created_at")
                                        .build(),
                                new TypeReference<Page<User>>() {},
                                () -> users.list(new UserRepository.Filter(null, null, null, null, null), null, null)),
                        task(
                                cache.key(USERS, "security_status").build(),
                                new TypeReference<UserRepository.SecurityStatus>() {},
                                () -> users.securityStatus(null, null))));
        cache.registerWarmer(
                AUDIT,
                () -> List.of(task(
                        cache.key(AUDIT, "stats").build(),
                        new TypeReference<AuditLogRepository.Stats>() {},
                        () -> audit.stats(null, null, null))));
        cache.registerWarmer(
                SECURITY,
                () -> List.of(task(
                        cache.key(SECURITY, "top_ips").build(),
                        new TypeReference<List<SecurityEventRepository.Offender>>() {},
                        () -> security.topOffenders(null, null))));
        cache.registerWarmer(
                BACKUP,
                () -> List.of(
                        task(
                                cache.key(BACKUP, "health").build(),
                                new TypeReference<List<BackupRepository.HealthCheck>>() {},
                                () -> backups.latestHealth(null)),
                        task(
                                cache.key(BACKUP, "executions")
                                        .param("status", "failed")
                                        .build(),
                                new TypeReference<Page<BackupRepository.Execution>>() {},
                                () -> backups.executions("failed", null, null))));
    }

    private static <T> Warmer.Task<T> task(CacheKey key, TypeReference<T> type, java.util.function.Supplier<T> loader) {
        return new Warmer.Task<>(key, type, loader);
    }
}
