package io.chronoperf.server.api;

import io.chronoperf.admin.repository.Bounds.Page;
import io.chronoperf.admin.repository.SecurityEventRepository;
import io.chronoperf.server.cache.CachedAdmin;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/security-events")
@Tag(name = "security events", description = "Recent events by IP, top offending IPs, high-risk events")
public class SecurityEventController {
    private final CachedAdmin cached;

    public SecurityEventController(CachedAdmin cached) {
        this.cached = cached;
    }

    @GetMapping("/recent")
    @Operation(summary = "Events of one IP in the last hours (1 to 24), newest first")
    public List<SecurityEventRepository.Event> recent(
            @RequestParam(required = false) String ip,
            @RequestParam(required = false) Integer hours,
            @RequestParam(required = false) Integer limit) {
        return cached.recentByIp(ip, hours, limit);
    }

    @GetMapping("/top-ips")
    @Operation(summary = "IPs with the most events in the last hours (1 to 24)")
    public List<SecurityEventRepository.Offender> topIps(
            @RequestParam(required = false) Integer hours, @RequestParam(required = false) Integer limit) {
        return cached.topOffenders(hours, limit);
    }

    @GetMapping("/high-risk")
    @Operation(summary = "Events with risk_score above 70 (min_risk 71 to 100), riskiest first, keyset-paginated")
    public Page<SecurityEventRepository.Event> highRisk(
            @RequestParam(name = "min_risk", required = false) Integer minRisk,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return cached.highRisk(minRisk, limit, cursor);
    }
}
