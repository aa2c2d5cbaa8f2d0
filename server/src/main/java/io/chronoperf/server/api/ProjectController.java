package io.chronoperf.server.api;

import io.chronoperf.admin.repository.ProjectRepository;
import io.chronoperf.server.cache.CachedAdmin;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/projects")
@Tag(name = "projects", description = "Projects with their pages, in two queries (no N+1)")
public class ProjectController {
    private final CachedAdmin cached;

    public ProjectController(CachedAdmin cached) {
        this.cached = cached;
    }

    @GetMapping
    @Operation(summary = "A user's projects, newest first, each with its newest pages")
    public List<ProjectRepository.Project> list(
            @RequestParam(name = "user_id") long userId,
            @RequestParam(required = false) Integer limit,
            @RequestParam(name = "pages_per_project", required = false) Integer pagesPerProject) {
        return cached.projects(userId, limit, pagesPerProject);
    }
}
