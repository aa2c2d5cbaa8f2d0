package io.chronoperf.advisor.analyze;

import io.chronoperf.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;

/** Analyzers on a test database as production builds them: the least-privilege role, the owner for what-ifs. */
final class TestAnalyzers {
    static final byte[] SECRET = "a test token secret of at least 32 bytes".getBytes(StandardCharsets.UTF_8);

    private TestAnalyzers() {}

    static AnalysisRole.Setup setup(TestDatabase db) {
        return AnalysisRole.setup(
                db.endpoint().jdbcUrl(), db.endpoint().user(), db.endpoint().password(), null, null, SECRET);
    }

    /** The default analyzer: as chrono_perf_analyze, statements of a superuser session refused. */
    static QueryAnalyzer leastPrivilege(TestDatabase db) {
        return setup(db).analyzer(QueryAnalyzer.Options.DEFAULT);
    }

    /** As the database's superuser with executions allowed: the call resolution is the only guard. */
    static QueryAnalyzer superuserAllowed(TestDatabase db) {
        AnalysisRole.Setup s = setup(db);
        return new QueryAnalyzer(s.owner(), s.owner(), QueryAnalyzer.Options.DEFAULT.withExecuteAsPrivileged(true));
    }
}
