package io.chronoperf.advisor.index;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import io.chronoperf.advisor.analyze.ScratchCopies;
import io.chronoperf.runtime.OwnStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the planner would make of a query if some indexes existed: HypoPG's hypothetical indexes
 * when the extension is installed (EXPLAIN without execution, sizes estimated by HypoPG), or
 * otherwise real indexes built on copies of the tables in the session's temporary schema
 * ({@link ScratchCopies}: tables up to a size limit, never a lock a writer waits for), inside a
 * transaction that is rolled back (sizes measured). Costs are cached per (query, indexes on the
 * query's tables), so a configuration is planned once. One connection, not thread-safe.
 */
final class WhatIf implements AutoCloseable {
    private final Connection c;
    private final boolean hypopg;
    /** The copies the what-if builds on without HypoPG; null with HypoPG. */
    private final ScratchCopies copies;

    /** Shared by the what-ifs of one advice (one per connection when planning in parallel). */
    private final Map<String, Optional<Double>> costs;

    private final Map<IndexDef, Long> sizes = new HashMap<>();
    /** Hypothetical indexes now present on the connection, with their HypoPG oids. */
    private final Map<IndexDef, Long> present = new HashMap<>();

    private int plannerCalls;
    private final Map<IndexDef, String> scratchNames = new HashMap<>();
    private String lastError;

    /** How long a what-if waits for another session's copies before it gives up. */
    static final long WAIT_FOR_OTHERS_MS = 60_000;

    WhatIf(Connection c, long maxTableBytes) throws SQLException {
        this(c, maxTableBytes, new java.util.concurrent.ConcurrentHashMap<>());
    }

    /** A what-if sharing its cost cache with others of the same advice (HypoPG only: copies are per session). */
    WhatIf(Connection c, long maxTableBytes, Map<String, Optional<Double>> costs) throws SQLException {
        this.c = c;
        this.costs = costs;
        this.hypopg = hasHypopg(c);
        this.copies = hypopg ? null : new ScratchCopies(c, maxTableBytes, WAIT_FOR_OTHERS_MS);
        untracked(c, true);
        if (hypopg) {
            try (Statement s = c.createStatement()) {
                s.execute(OwnStatements.MARK + "SELECT hypopg_reset()");
            }
        }
    }

    static boolean hasHypopg(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                        OwnStatements.MARK + "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'hypopg'");
                ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    String method() {
        return hypopg ? "hypopg" : "copy";
    }

    /** What the copies cost (without HypoPG): bytes copied and time spent; null with HypoPG. */
    String copyNote() {
        return copies == null
                ? null
                : "HypoPG is not installed: indexes were costed on copies of the tables in a temporary schema ("
                        + copies.copiedBytes() / 1024 / 1024 + " MB copied in " + copies.copyMs()
                        + " ms; no lock a writer waits for). With HypoPG the what-if copies nothing and uses"
                        + " the tables' own statistics: install postgresql-<version>-hypopg on the database"
                        + " server, then CREATE EXTENSION hypopg";
    }

    /** The planner's last refusal. */
    String lastError() {
        return lastError;
    }

    int plannerCalls() {
        return plannerCalls;
    }

    /**
     * The planner's total cost of the query with these indexes (only those on its tables matter);
     * null when it cannot be planned.
     */
    Double cost(Prepared q, Set<IndexDef> config) throws SQLException {
        TreeSet<IndexDef> relevant = relevant(q, config);
        String key = key(q, relevant);
        Optional<Double> known = costs.get(key);
        if (known != null) {
            return known.orElse(null);
        }
        if (copies != null) {
            for (String table : q.use().tables()) {
                copies.ensure(IndexDef.qualify(table)); // before the first plan: baseline and configurations alike
            }
        }
        Double cost = hypopg ? hypoCost(q, relevant) : transactionalCost(q, relevant);
        costs.put(key, Optional.ofNullable(cost));
        return cost;
    }

    /** True when the query's cost with these indexes is known already. */
    boolean known(Prepared q, Set<IndexDef> config) {
        return costs.containsKey(key(q, relevant(q, config)));
    }

    boolean hypopg() {
        return hypopg;
    }

    Map<String, Optional<Double>> costs() {
        return costs;
    }

    private static TreeSet<IndexDef> relevant(Prepared q, Set<IndexDef> config) {
        TreeSet<IndexDef> relevant = new TreeSet<>();
        for (IndexDef d : config) {
            if (q.use().tables().contains(d.table())) {
                relevant.add(d);
            }
        }
        return relevant;
    }

    private static String key(Prepared q, Set<IndexDef> relevant) {
        return q.query().id() + "|" + relevant;
    }

    /**
     * The index's size in bytes: HypoPG's estimate, or the size of the index built on the copy in a
     * rolled-back transaction; -1 when it cannot be built there (only HypoPG could size it).
     */
    long size(IndexDef d) throws SQLException {
        Long known = sizes.get(d);
        if (known != null) {
            return known;
        }
        long size;
        if (hypopg) {
            long oid = ensure(d);
            try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + "SELECT hypopg_relation_size(?)")) {
                ps.setLong(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    size = rs.getLong(1);
                }
            }
        } else {
            Double built = withIndexes(Set.of(d), () -> {
                try (PreparedStatement ps =
                        c.prepareStatement(OwnStatements.MARK + "SELECT pg_catalog.pg_relation_size(to_regclass(?))")) {
                    ps.setString(1, "pg_temp." + IndexDef.quote(scratchName(d)));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return (double) rs.getLong(1);
                    }
                }
            });
            size = built == null ? -1 : built.longValue();
        }
        sizes.put(d, size);
        return size;
    }

    private Double hypoCost(Prepared q, Set<IndexDef> wanted) throws SQLException {
        for (IndexDef d : new ArrayList<>(present.keySet())) {
            if (!wanted.contains(d) && q.use().tables().contains(d.table())) {
                try (PreparedStatement ps = c.prepareStatement(OwnStatements.MARK + "SELECT hypopg_drop_index(?)")) {
                    ps.setLong(1, present.remove(d));
                    ps.execute();
                }
            }
        }
        for (IndexDef d : wanted) {
            ensure(d);
        }
        return explain(q);
    }

    private long ensure(IndexDef d) throws SQLException {
        Long oid = present.get(d);
        if (oid != null) {
            return oid;
        }
        try (PreparedStatement ps =
                c.prepareStatement(OwnStatements.MARK + "SELECT indexrelid FROM hypopg_create_index(?)")) {
            ps.setString(1, d.createSql());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                oid = rs.getLong(1);
            }
        }
        present.put(d, oid);
        return oid;
    }

    private Double transactionalCost(Prepared q, Set<IndexDef> wanted) throws SQLException {
        return withIndexes(wanted, () -> explain(q));
    }

    /**
     * The name of a what-if index on a copy: its own, never one PostgreSQL chose for the indexes
     * the copy carries ({@code shipments_order_ref_idx} for a hash index was the candidate's name too).
     */
    private String scratchName(IndexDef d) {
        return scratchNames.computeIfAbsent(d, k -> "chrono_perf_whatif_" + scratchNames.size());
    }

    private interface Body {
        Double run() throws SQLException;
    }

    /** Runs the body with the indexes built on the tables' copies, in a transaction rolled back after it. */
    private Double withIndexes(Set<IndexDef> indexes, Body body) throws SQLException {
        for (IndexDef d : indexes) {
            if (!copies.ensure(d.qualified())) {
                return null; // too large to copy (or not copyable): only HypoPG can cost it
            }
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute(OwnStatements.MARK + "SET LOCAL lock_timeout = '1s'");
            for (IndexDef d : indexes) {
                // on the copy, inside the transaction: rolled back below, never seen by others
                s.execute(
                        OwnStatements.mark(d.createSqlOn("pg_temp." + IndexDef.quote(d.bareTable()), scratchName(d))));
            }
            return body.run();
        } catch (SQLException e) {
            return null; // a lock timeout or a failed build: no verdict rather than a guess
        } finally {
            if (!c.isClosed()) { // a protocol error makes the pool close the connection
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    private Double explain(Prepared q) throws SQLException {
        plannerCalls++;
        try {
            double sum = 0;
            for (QueryAnalyzer.Plannable p : q.plans()) {
                sum += QueryAnalyzer.explain(c, p, "")
                        .get(0)
                        .get("Plan")
                        .get("Total Cost")
                        .asDouble();
            }
            return sum / q.plans().size();
        } catch (SQLException e) {
            lastError = IndexAdvisor.firstLine(e.getMessage());
            if (!c.getAutoCommit()) {
                throw e;
            }
            return null;
        }
    }

    /**
     * Keeps the what-if's thousands of EXPLAINs out of pg_stat_statements where the role may
     * (superusers; for others the setting is refused and they stay tracked, one entry per statement
     * shape). Reset when done: the connection may go back to a pool.
     */
    private static void untracked(Connection c, boolean on) {
        try (Statement s = c.createStatement()) {
            s.execute(OwnStatements.MARK
                    + (on ? "SET pg_stat_statements.track = 'none'" : "RESET pg_stat_statements.track"));
        } catch (SQLException notAllowed) {
            // not a superuser, or no pg_stat_statements: nothing to do
        }
    }

    @Override
    public void close() throws SQLException {
        if (copies != null) {
            copies.close();
        }
        untracked(c, false);
        if (hypopg) {
            try (Statement s = c.createStatement()) {
                s.execute(OwnStatements.MARK + "SELECT hypopg_reset()");
            }
        }
    }

    /**
     * A workload query ready to plan, with what it touches. A statement that ends in a LIMIT with a
     * parameter (its value unknown) carries a second plan without the LIMIT, and its cost is the
     * mean of the two: with a LIMIT the planner assumes matching rows are spread evenly along an
     * ORDER BY index and credits that index with stopping early, which skewed data defeats (one
     * admin's rows are not spread evenly in time); the plan of the whole result credits the index
     * that serves the filter.
     */
    record Prepared(Workload.Query query, List<QueryAnalyzer.Plannable> plans, QueryColumns.Use use) {}
}
