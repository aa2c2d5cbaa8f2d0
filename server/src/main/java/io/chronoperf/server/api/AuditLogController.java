package io.chronoperf.server.api;

import io.chronoperf.admin.repository.AuditLogRepository;
import io.chronoperf.admin.repository.Bounds.Page;
import io.chronoperf.server.cache.CachedAdmin;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/audit-logs")
@Tag(name = "audit logs", description = "The admin audit trail: filtered listing and statistics over time")
public class AuditLogController {
    private final CachedAdmin cached;

    public AuditLogController(CachedAdmin cached) {
        this.cached = cached;
    }

    @GetMapping
    @Operation(
            summary = "Entries filtered by admin, category, severity, success and time range (default: last 24 h,"
                    + " at most 92 days), newest first, keyset-paginated")
    public Page<AuditLogRepository.Entry> list(
            @RequestParam(name = "admin_user_id", required = false) Long adminUserId,
            @RequestParam(required = false) String category,
            @RequestParam(required = false) String severity,
            @RequestParam(required = false) Boolean success,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return cached.auditLogs(
                new AuditLogRepository.Filter(adminUserId, category, severity, success, from, to), limit, cursor);
    }

    @GetMapping("/stats")
    @Operation(summary = "Entries, failures and affected rows by category and severity per hour or day")
    public AuditLogRepository.Stats stats(
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
            @RequestParam(required = false) String bucket) {
        return cached.auditStats(from, to, bucket);
    }
}
