package io.chronoperf.monitor;

import io.chronoperf.runtime.StateSchema;
import javax.sql.DataSource;

/**
 * The monitor's own tables (history of samples and statements, alerts) in chrono-perf's schema
 * {@code chrono_perf}, migrated from {@code db/chrono-perf/monitor} with their own Flyway history.
 */
public final class MonitorSchema {
    private MonitorSchema() {}

    public static StateSchema.Report migrate(DataSource dataSource) {
        return StateSchema.migrate(dataSource, "monitor");
    }
}
