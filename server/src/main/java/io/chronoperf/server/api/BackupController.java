package io.chronoperf.server.api;

import io.chronoperf.admin.repository.BackupRepository;
import io.chronoperf.admin.repository.Bounds.Page;
import io.chronoperf.server.cache.CachedAdmin;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/backups")
@Tag(name = "backups", description = "Backup executions and health checks")
public class BackupController {
    private final CachedAdmin cached;

    public BackupController(CachedAdmin cached) {
        this.cached = cached;
    }

    @GetMapping("/executions")
    @Operation(summary = "Executions of one status (or all), newest first, keyset-paginated")
    public Page<BackupRepository.Execution> executions(
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return cached.executions(status, limit, cursor);
    }

    @GetMapping("/health")
    @Operation(summary = "The latest check of each target type per enabled backup, worst first")
    public List<BackupRepository.HealthCheck> health(@RequestParam(required = false) Integer limit) {
        return cached.backupHealth(limit);
    }
}
