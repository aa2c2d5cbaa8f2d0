package io.chronoperf.advisor.index;

import io.chronoperf.advisor.analyze.QueryAnalyzer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Plans on several connections at once: a configuration's uncached statements are spread over
 * the what-ifs (one per connection, each with its own hypothetical indexes, all sharing one cost
 * cache), so that the greedy's choices are the same as on one connection and come sooner. Only
 * with HypoPG: the what-if on copies needs the copies of its own session, and one session copies
 * at a time.
 */
final class Planners implements AutoCloseable {
    /** Connections planning at once (the database server's cores do the work). */
    static final int PARALLEL = 2;

    private final WhatIf main;
    private final List<WhatIf> extra = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();
    private final ExecutorService pool;

    Planners(WhatIf main, QueryAnalyzer.ConnectionSource more, long maxTableBytes) throws SQLException {
        this.main = main;
        if (more != null && main.hypopg()) {
            try {
                for (int i = 1; i < PARALLEL; i++) {
                    Connection c = more.open();
                    connections.add(c);
                    extra.add(new WhatIf(c, maxTableBytes, main.costs()));
                }
            } catch (SQLException e) {
                close(); // fewer connections than asked: plan on the main one alone
                extra.clear();
                connections.clear();
            }
        }
        pool = extra.isEmpty()
                ? null
                : Executors.newFixedThreadPool(extra.size(), r -> {
                    Thread t = new Thread(r, "chrono-perf-planner");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Plans, in parallel, the statements whose cost with this configuration is not known yet. */
    void prefetch(List<WhatIf.Prepared> queries, Set<IndexDef> config) throws SQLException {
        if (pool == null) {
            return;
        }
        List<WhatIf.Prepared> todo = new ArrayList<>();
        for (WhatIf.Prepared q : queries) {
            if (!main.known(q, config)) {
                todo.add(q);
            }
        }
        if (todo.size() < 2) {
            return;
        }
        // one queue: each connection takes the next statement when done (plans differ in cost)
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Future<Void>> running = new ArrayList<>();
        for (WhatIf whatIf : extra) {
            running.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < todo.size(); i = next.getAndIncrement()) {
                    whatIf.cost(todo.get(i), config);
                }
                return null;
            }));
        }
        for (int i = next.getAndIncrement(); i < todo.size(); i = next.getAndIncrement()) {
            main.cost(todo.get(i), config);
        }
        for (Future<Void> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while planning", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof SQLException s ? s : new SQLException(e.getCause());
            }
        }
    }

    int plannerCalls() {
        int calls = main.plannerCalls();
        for (WhatIf w : extra) {
            calls += w.plannerCalls();
        }
        return calls;
    }

    int connections() {
        return 1 + extra.size();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        for (int i = 0; i < connections.size(); i++) {
            try {
                if (i < extra.size()) {
                    extra.get(i).close();
                }
                connections.get(i).close();
            } catch (SQLException ignored) {
                // closing: nothing left to do with it
            }
        }
    }
}
