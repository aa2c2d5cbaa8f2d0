package io.chronoperf.admin.seed;

import java.util.Locale;

/**
 * How much demo data to generate. {@code large} is the benchmark scale of the foundation issue
 * (about 1M users, 10M audit log entries, 5M security events).
 */
public enum Scale {
    SMALL(2_000, 20_000, 10_000, 400, 4_000, 10),
    DEMO(50_000, 500_000, 250_000, 10_000, 100_000, 40),
    LARGE(1_000_000, 10_000_000, 5_000_000, 200_000, 2_000_000, 400);

    final int users;
    final int auditLogs;
    final int securityEvents;
    final int projects;
    final int pages;
    final int backups;

    Scale(int users, int auditLogs, int securityEvents, int projects, int pages, int backups) {
        this.users = users;
        this.auditLogs = auditLogs;
        this.securityEvents = securityEvents;
        this.projects = projects;
        this.pages = pages;
        this.backups = backups;
    }

    /** Executions: four a day per backup for 90 days; health checks: one a day per target type. */
    int backupExecutions() {
        return backups * 4 * 90;
    }

    int healthChecks() {
        return backups * 4 * 30;
    }

    /** Users at this scale (what a database loaded at this scale holds before any sign-up). */
    public int usersCount() {
        return users;
    }

    public long totalRows() {
        return (long) users
                + auditLogs
                + securityEvents
                + projects
                + pages
                + backups
                + backupExecutions()
                + healthChecks();
    }

    public static Scale parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new io.chronoperf.runtime.ChronoPerfException(
                    io.chronoperf.runtime.ErrorCode.CONFIGURATION,
                    "Unknown scale '" + name + "': use small, demo or large");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
