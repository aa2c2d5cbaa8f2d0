package io.chronoperf.advisor;

import io.chronoperf.runtime.StateSchema;
import javax.sql.DataSource;

/**
 * The advisor's own table (applied indexes with their proof) in chrono-perf's schema
 * {@code chrono_perf}, migrated from {@code db/chrono-perf/advisor} with its own Flyway history.
 */
public final class AdvisorSchema {
    private AdvisorSchema() {}

    public static StateSchema.Report migrate(DataSource dataSource) {
        return StateSchema.migrate(dataSource, "advisor");
    }
}
