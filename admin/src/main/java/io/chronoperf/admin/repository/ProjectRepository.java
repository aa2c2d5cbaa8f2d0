package io.chronoperf.admin.repository;

import static io.chronoperf.admin.internal.Jdbc.instant;
import static io.chronoperf.admin.internal.Jdbc.nullableInt;

import io.chronoperf.admin.internal.Jdbc;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Projects with their pages, in two queries whatever the number of projects: the projects, then
 * all their pages with {@code project_id = ANY(?)} (the fix for the seed's N+1 example). Thread-safe.
 */
public final class ProjectRepository {
    private final Jdbc jdbc;

    public ProjectRepository(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public record PageRow(
            long id,
            String url,
            String title,
            String status,
            Integer httpStatus,
            Instant scrapedAt,
            Instant createdAt) {}

    public record Project(
            long id,
            long userId,
            String name,
            String status,
            boolean isPublic,
            Instant createdAt,
            Instant updatedAt,
            long pageCount,
            List<PageRow> pages) {}

    /**
     * A user's projects, newest first, each with its newest pages.
     *
     * @param pagesPerProject at most this many pages per project (1 to 50, default 10)
     */
    public List<Project> withPages(long userId, Integer limit, Integer pagesPerProject) {
        int n = Bounds.range("limit", limit, 1, 100, 20);
        int perProject = Bounds.range("pages_per_project", pagesPerProject, 1, 50, 10);
        record Head(
                long id,
                long userId,
                String name,
                String status,
                boolean isPublic,
                Instant createdAt,
                Instant updatedAt) {}
        List<Head> heads = jdbc.list(
                "SELECT id, user_id, name, status, is_public, created_at, updated_at FROM projects"
                        + " WHERE user_id = ? ORDER BY created_at DESC LIMIT ?",
                rs -> new Head(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getBoolean(5),
                        instant(rs, "created_at"),
                        instant(rs, "updated_at")),
                userId,
                n);
        if (heads.isEmpty()) {
            return List.of();
        }
        Long[] ids = heads.stream().map(Head::id).toArray(Long[]::new);
        Map<Long, List<PageRow>> pages = new LinkedHashMap<>();
        Map<Long, Long> counts = new LinkedHashMap<>();
        jdbc.list(
                """
                SELECT p.project_id, p.id, p.url, p.title, p.status, p.http_status, p.scraped_at, p.created_at, p.total
                  FROM (SELECT pg.*, row_number() OVER w AS rn, count(*) OVER (PARTITION BY pg.project_id) AS total
                          FROM pages pg WHERE pg.project_id = ANY(?)
                        WINDOW w AS (PARTITION BY pg.project_id ORDER BY pg.created_at DESC)) p
                 WHERE p.rn <= ? ORDER BY p.project_id, p.created_at DESC""",
                rs -> {
                    long project = rs.getLong("project_id");
                    counts.put(project, rs.getLong("total"));
                    pages.computeIfAbsent(project, k -> new ArrayList<>())
                            .add(new PageRow(
                                    rs.getLong("id"),
                                    rs.getString("url"),
                                    rs.getString("title"),
                                    rs.getString("status"),
                                    nullableInt(rs, "http_status"),
                                    instant(rs, "scraped_at"),
                                    instant(rs, "created_at")));
                    return null;
                },
                ids,
                perProject);
        List<Project> out = new ArrayList<>();
        for (Head h : heads) {
            out.add(new Project(
                    h.id(),
                    h.userId(),
                    h.name(),
                    h.status(),
                    h.isPublic(),
                    h.createdAt(),
                    h.updatedAt(),
                    counts.getOrDefault(h.id(), 0L),
                    pages.getOrDefault(h.id(), List.of())));
        }
        return out;
    }
}
