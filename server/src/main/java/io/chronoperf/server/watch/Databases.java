package io.chronoperf.server.watch;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.monitor.DatabaseCollector;
import io.chronoperf.monitor.HealthScore;
import io.chronoperf.monitor.History;
import io.chronoperf.monitor.MonitorSchema;
import io.chronoperf.monitor.Observation;
import io.chronoperf.monitor.StatementSummary;
import io.chronoperf.monitor.alert.Alerts;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.InvalidParameterException;
import io.chronoperf.runtime.OwnStatements;
import io.chronoperf.runtime.WatchList;
import io.chronoperf.server.advisor.AdvisorService;
import io.chronoperf.server.availability.DatabaseWatch;
import io.chronoperf.server.availability.GatedDataSource;
import io.chronoperf.server.availability.ThrottledLog;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every database chrono-perf watches: {@code main} (the one it runs on) first, then those of
 * {@code CHRONO_PERF_WATCH}, each with a pool of its own (3 connections at most, none kept idle,
 * 1.5 s to get one), a watch of its own (a database that is down is shown down while the others
 * go on) and its history and alerts in a schema {@code chrono_perf} of its own, created by the
 * first sample that finds it answering (a database where the user may not create it is watched
 * live, and says so). The monitoring endpoints resolve {@code ?database=name} here.
 */
public final class Databases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Databases.class);
    private static final Duration MEAN_WINDOW = Duration.ofMinutes(5);

    private final Map<String, WatchedDatabase> all = new LinkedHashMap<>();
    private final DatabaseCollector collector;
    private final History history;
    private final Alerts alerts;
    private final Clock clock;
    private final ThrottledLog failures = new ThrottledLog(log, Duration.ofMinutes(1));
    private final Map<String, WatchList.Watched> endpoints = new LinkedHashMap<>();
    private final Map<String, QueryAnalyzer> analyzers = new ConcurrentHashMap<>();
    private final Map<String, AdvisorService> advisors = new ConcurrentHashMap<>();
    private final Map<String, Alerts> alertsOf = new ConcurrentHashMap<>();
    private final Function<WatchList.Watched, QueryAnalyzer> analyzerOf;

    /**
     * @param mainAnalyzer the analysis on main (the server's); a watched database gets one of its
     *                     own on first use ({@code analyzerOf}: its least-privilege role there)
     */
    public Databases(
            WatchedDatabase main,
            QueryAnalyzer mainAnalyzer,
            AdvisorService mainAdvisor,
            Function<WatchList.Watched, QueryAnalyzer> analyzerOf,
            List<WatchList.Watched> watched,
            DatabaseCollector collector,
            History history,
            Alerts alerts,
            Duration watchInterval,
            Clock clock) {
        this.analyzerOf = analyzerOf;
        analyzers.put(main.name(), mainAnalyzer);
        advisors.put(main.name(), mainAdvisor);
        this.collector = collector;
        this.history = history;
        this.alerts = alerts;
        this.clock = clock;
        all.put(main.name(), main);
        for (WatchList.Watched w : watched) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(w.endpoint().jdbcUrl());
            config.setUsername(w.endpoint().user());
            config.setPassword(w.endpoint().password());
            config.setPoolName("chrono-perf-watch-" + w.name());
            config.setMaximumPoolSize(3);
            config.setMinimumIdle(0);
            config.setConnectionTimeout(1_500);
            config.setInitializationFailTimeout(-1); // a watched database that is down never stops a start
            config.addDataSourceProperty("ApplicationName", "chrono-perf-watch");
            config.addDataSourceProperty("assumeMinServerVersion", "13");
            HikariDataSource pool = new HikariDataSource(config);
            DatabaseWatch watch = new DatabaseWatch(
                    "watched database " + w.name(),
                    w.endpoint().jdbcUrl(),
                    w.endpoint().user(),
                    w.endpoint().password(),
                    watchInterval,
                    clock);
            DataSource ds = OwnStatements.marked(new GatedDataSource(pool, () -> watch));
            all.put(w.name(), new WatchedDatabase(w.name(), w.endpoint().jdbcUrl(), ds, watch, pool));
            endpoints.put(w.name(), w);
        }
    }

    /** The main one for null, blank or "main"; a watched one by name; a 400 naming them otherwise. */
    public WatchedDatabase resolve(String name) {
        if (name == null || name.isBlank()) {
            return all.get(WatchList.MAIN);
        }
        WatchedDatabase db = all.get(name);
        if (db == null) {
            throw new InvalidParameterException(
                    "database",
                    "No watched database is called '" + name + "': the names are " + String.join(", ", all.keySet())
                            + " (CHRONO_PERF_WATCH adds more)");
        }
        return db;
    }

    /**
     * The query analysis of a database: main's, or one of its own for a watched one, made on first
     * use (its least-privilege role there, created when the user may; docs/rules.md).
     */
    public QueryAnalyzer analyzer(WatchedDatabase db) {
        return analyzers.computeIfAbsent(db.name(), n -> analyzerOf.apply(endpoints.get(n)));
    }

    /** The index advice of a database (its own latest advice, its own workload). */
    public AdvisorService advisor(WatchedDatabase db) {
        return advisors.computeIfAbsent(db.name(), n -> new AdvisorService(db.dataSource()));
    }

    public List<WatchedDatabase> all() {
        return new ArrayList<>(all.values());
    }

    /**
     * Samples every watched database that answers (main is sampled by the monitor): a snapshot,
     * its history and score, its alerts. One that fails is logged (one line a minute) and skipped;
     * the others go on.
     */
    public void sampleWatched() {
        List<WatchedDatabase> watched = watchedInOrder();
        List<Integer> every = new ArrayList<>();
        for (int i = 0; i < watched.size(); i++) {
            every.add(i);
        }
        sampleWatched(every);
    }

    /** The watched databases (not main) in name order: their places in a round ({@link SampleRounds}). */
    public List<WatchedDatabase> watchedInOrder() {
        return all.values().stream()
                .filter(db -> !db.main())
                .sorted(java.util.Comparator.comparing(WatchedDatabase::name))
                .toList();
    }

    /**
     * Samples the watched databases at these places of {@link #watchedInOrder()} that answer; one
     * that fails is logged (one line a minute) and skipped. Returns the names of those sampled.
     */
    public List<String> sampleWatched(List<Integer> places) {
        List<WatchedDatabase> watched = watchedInOrder();
        List<String> sampled = new ArrayList<>();
        for (int place : places) {
            WatchedDatabase db = watched.get(place);
            if (!db.up()) {
                continue;
            }
            try {
                sample(db);
            } catch (Exception e) {
                failures.warn(
                        "sample-" + db.name(),
                        "Sampling watched database " + db.name() + " failed: "
                                + (e.getMessage() == null
                                        ? e.toString()
                                        : e.getMessage().lines().findFirst().orElse("")));
                continue;
            }
            sampled.add(db.name());
        }
        return sampled;
    }

    private void sample(WatchedDatabase db) throws Exception {
        if (!db.historyReady()) {
            try {
                MonitorSchema.migrate(db.dataSource());
                db.history(true, "kept in schema chrono_perf of this database");
            } catch (ChronoPerfException e) {
                db.history(false, "not kept (" + e.getMessage() + "); watched live only");
            }
        }
        try (Connection c = db.dataSource().getConnection()) {
            DatabaseCollector.Snapshot s = collector.collect(c);
            History.Point last = null;
            Double mean = null;
            if (db.historyReady()) {
                history.sample(c, c, s);
                List<History.Point> series = history.series(c, Duration.ofMinutes(15));
                last = series.isEmpty() ? null : series.get(series.size() - 1);
                mean = history.meanStatementMs(c, MEAN_WINDOW);
            }
            HealthScore.Result score =
                    HealthScore.of(s, StatementSummary.of(c), HealthScore.CacheWindow.of(last, s), false);
            Observation o = Observation.at(clock.instant())
                    .database(s, last, mean, score)
                    .build();
            db.latest(o);
            if (db.historyReady()) {
                alertsOf.computeIfAbsent(db.name(), alerts::forDatabase).evaluate(c, o);
            }
        }
    }

    @Override
    public void close() {
        analyzers.forEach((name, analyzer) -> {
            if (!name.equals(WatchList.MAIN)) {
                analyzer.close();
            }
        });
        all.values().forEach(WatchedDatabase::close);
    }
}
