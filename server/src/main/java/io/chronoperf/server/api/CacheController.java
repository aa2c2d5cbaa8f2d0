package io.chronoperf.server.api;

import io.chronoperf.cache.AdminCache;
import io.chronoperf.cache.CacheStats;
import io.chronoperf.cache.WarmReport;
import io.chronoperf.runtime.InvalidParameterException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/performance/cache")
@Tag(name = "performance: cache", description = "Two-level cache statistics, warming and clearing")
public class CacheController {
    private final AdminCache cache;

    public CacheController(AdminCache cache) {
        this.cache = cache;
    }

    @GetMapping("/stats")
    @Operation(summary = "Per namespace: L1/L2 hits and misses, loads, evictions, sizes, compression, get latency")
    public CacheStats stats() {
        return cache.stats();
    }

    /** Body of a warm request; no namespace warms all of them. */
    public record WarmRequest(String namespace, Boolean force) {}

    @PostMapping("/warm")
    @Operation(
            summary = "Warm one namespace (or all): load its popular keys; force reloads keys already cached (admin "
                    + "only)")
    public List<WarmReport> warm(@RequestBody(required = false) WarmRequest body) {
        String namespace = body == null ? null : body.namespace();
        boolean force = body != null && Boolean.TRUE.equals(body.force());
        if (namespace != null && !cache.namespaces().contains(namespace)) {
            throw new InvalidParameterException(
                    "namespace",
                    "namespace must be one of " + String.join(", ", cache.namespaces()) + ", not '" + shorten(namespace)
                            + "'");
        }
        List<WarmReport> reports = new ArrayList<>();
        for (String ns : namespace == null ? cache.warmedNamespaces() : List.of(namespace)) {
            reports.add(cache.warm(ns, force));
        }
        return reports;
    }

    /** Body of a clear request: a pattern under admin: and an explicit confirmation. */
    public record ClearRequest(String pattern, Boolean confirm) {}

    /** What a clear removed from Redis (-1 without Redis: the in-process level was cleared). */
    public record ClearResult(String pattern, long removed) {}

    @PostMapping("/clear")
    @Operation(
            summary = "Clear the keys matching a pattern under admin: (e.g. admin:users:*) everywhere; needs confirm: "
                    + "true (admin only)")
    public ClearResult clear(@RequestBody(required = false) ClearRequest body) {
        if (body == null || body.pattern() == null) {
            throw new InvalidParameterException(
                    "pattern", "pattern is required, e.g. {\"pattern\": \"admin:users:*\", \"confirm\": true}");
        }
        try {
            cache.checkPattern(body.pattern());
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("pattern", e.getMessage());
        }
        if (!Boolean.TRUE.equals(body.confirm())) {
            throw new InvalidParameterException("confirm", "clearing is destructive: send \"confirm\": true to do it");
        }
        return new ClearResult(body.pattern(), cache.invalidatePattern(body.pattern()));
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
