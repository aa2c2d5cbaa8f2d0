package io.chronoperf.advisor.nplusone;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import javax.sql.DataSource;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.proxy.ParameterSetOperation;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;

/**
 * Records the statements of a unit (a request, a transaction, a scope the caller opens) from a
 * DataSource wrapped with datasource-proxy: the SQL, its duration, the rows a write affected,
 * the call site (the first frame outside JDBC, the proxy, the pool and framework packages) with a
 * hash of the application stack, and, only when enabled, the bound values (kept in memory, never
 * logged). A unit holds at most {@code cap} statements and counts the rest.
 *
 * <p>datasource-proxy does the JDBC interception; this class adds what it lacks: units, call
 * sites and bounded memory. Statements outside an open unit cost one ThreadLocal read.
 * Thread-safe: a unit belongs to the thread that opened it.
 */
public final class StatementCapture {
    public static final int DEFAULT_CAP = 1_000;
    private static final List<String> FRAMEWORK = List.of(
            "java.",
            "javax.",
            "jdk.",
            "sun.",
            "com.sun.",
            "jakarta.",
            "net.ttddyy.dsproxy.",
            "com.zaxxer.hikari.",
            "org.postgresql.",
            "org.springframework.",
            "org.apache.",
            "io.chronoperf.admin.internal.");
    private static final String SELF = StatementCapture.class.getName();
    /** One native fetch of 24 frames reaches past the proxies and the pool in one go. */
    private static final java.util.Map<String, String> SITES = new java.util.concurrent.ConcurrentHashMap<>();

    private static final StackWalker WALKER = StackWalker.getInstance(java.util.Set.of(), 24);

    private final ThreadLocal<Unit> current = new ThreadLocal<>();
    private final boolean captureParams;
    private final int cap;
    private final Predicate<String> framework;

    /**
     * @param captureParams keep bound values in memory (for traces and rewrites); when false only a
     *                      hash token per value is kept, which still tells an N+1 from a duplicate
     * @param extraFrameworkPrefixes more package prefixes to skip when finding the call site
     */
    public StatementCapture(boolean captureParams, int cap, List<String> extraFrameworkPrefixes) {
        this.captureParams = captureParams;
        this.cap = cap;
        List<String> prefixes = new ArrayList<>(FRAMEWORK);
        prefixes.addAll(extraFrameworkPrefixes);
        this.framework = cls -> {
            if (cls.equals(SELF) || cls.startsWith(SELF + "$")) {
                return true;
            }
            for (String p : prefixes) {
                if (cls.startsWith(p)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** The DataSource whose statements this capture sees. */
    public DataSource wrap(DataSource dataSource) {
        return ProxyDataSourceBuilder.create(dataSource)
                .name("chrono-perf-capture")
                .listener(new Listener())
                .build();
    }

    /** Opens a unit on this thread; close the scope to get its statements. Units do not nest: the outer one wins. */
    public Scope open(String unit) {
        if (current.get() != null) {
            return new Scope(null);
        }
        Unit u = new Unit(unit);
        current.set(u);
        return new Scope(u);
    }

    /** What one unit recorded. */
    public record Recorded(String unit, List<TraceStatement> statements, int overflow) {}

    /** An open unit. */
    public final class Scope implements AutoCloseable {
        private final Unit unit;

        private Scope(Unit unit) {
            this.unit = unit;
        }

        /** The statements so far (empty for a nested scope). */
        public Recorded recorded() {
            return unit == null
                    ? new Recorded("", List.of(), 0)
                    : new Recorded(unit.name, Collections.unmodifiableList(unit.resolved()), unit.overflow);
        }

        @Override
        public void close() {
            if (unit != null) {
                current.remove();
            }
        }
    }

    private static final class Unit {
        final String name;
        final List<TraceStatement> statements = new ArrayList<>();
        final java.util.Map<String, Seen> seen = new java.util.HashMap<>();
        int overflow;
        long seq;
        long startNanos;

        Unit(String name) {
            this.name = name;
        }

        /** The statements with the call sites left open at their first occurrence filled in. */
        List<TraceStatement> resolved() {
            List<TraceStatement> out = new ArrayList<>(statements.size());
            for (TraceStatement s : statements) {
                Seen sqlSeen = seen.get(s.sql());
                if (s.site() == null && sqlSeen != null && sqlSeen.count > 1) {
                    String site = sqlSeen.sites.size() == 1
                            ? sqlSeen.sites.iterator().next()
                            : "(unresolved call site #" + s.seq() + ")"; // joins no group rather than a wrong one
                    s = new TraceStatement(
                            s.unit(), s.seq(), s.sql(), s.params(), s.durationMs(), s.rows(), site, s.stackHash());
                }
                out.add(s);
            }
            return out;
        }
    }

    /** Per SQL text in a unit: how often it ran and from which call sites. */
    private static final class Seen {
        int count;
        final java.util.Set<String> sites = new java.util.HashSet<>();
        String lastSite;
        String lastHash;
    }

    private final class Listener implements QueryExecutionListener {
        @Override
        public void beforeQuery(ExecutionInfo info, List<QueryInfo> queries) {
            Unit unit = current.get();
            if (unit != null) {
                unit.startNanos = System.nanoTime(); // a unit belongs to one thread: no per-statement map
            }
        }

        @Override
        public void afterQuery(ExecutionInfo info, List<QueryInfo> queries) {
            Unit unit = current.get();
            if (unit == null) {
                return;
            }
            double ms = unit.startNanos == 0 ? info.getElapsedTime() : (System.nanoTime() - unit.startNanos) / 1e6;
            Integer rows = info.getResult() instanceof Integer n ? n : null;
            for (QueryInfo q : queries) {
                if (unit.statements.size() >= cap) {
                    unit.overflow++;
                    continue;
                }
                String[] site = siteFor(unit, q.getQuery());
                List<Object> values = params(q);
                unit.statements.add(new TraceStatement(
                        unit.name,
                        ++unit.seq,
                        q.getQuery(),
                        captureParams ? values : tokens(values),
                        ms / queries.size(),
                        rows,
                        site[0],
                        site[1]));
            }
        }
    }

    /**
     * Walking the stack is what capture costs (about 15 us a statement); most statements of a
     * request run once and need no call site at all. So the walk happens from a SQL text's
     * second run on: runs 2 to 4 always, then every 16th (a loop's site does not change), and
     * always once two sites have been seen. The first run's site is filled in when the unit
     * closes, from the sites its repeats showed (docs/n-plus-one.md states the edge case).
     */
    private String[] siteFor(Unit unit, String sql) {
        Seen seen = unit.seen.computeIfAbsent(sql, k -> new Seen());
        seen.count++;
        if (seen.count == 1) {
            return new String[] {null, null};
        }
        if (seen.count <= 4 || seen.count % 16 == 0 || seen.sites.size() > 1) {
            String[] walked = callSite();
            if (walked[0] != null) {
                seen.sites.add(walked[0]);
            }
            seen.lastSite = walked[0];
            seen.lastHash = walked[1];
            return walked;
        }
        return new String[] {seen.lastSite, seen.lastHash};
    }

    /**
     * "Class.method:line" of a frame. Resolving a line number builds a full StackTraceElement,
     * which costs microseconds; the byte-code index identifies the call site as precisely and
     * costs nothing, so each distinct site is resolved once and remembered.
     */
    private static String siteOf(StackWalker.StackFrame f) {
        String key = f.getClassName() + '#' + f.getMethodName() + '#' + f.getByteCodeIndex();
        String site = SITES.get(key);
        if (site == null) {
            if (SITES.size() > 10_000) {
                SITES.clear();
            }
            site = f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber();
            SITES.put(key, site);
        }
        return site;
    }

    /** The first application frame, and a hash of up to three application frames (class and method). */
    private String[] callSite() {
        return WALKER.walk(frames -> {
            String site = null;
            int hash = 1;
            int taken = 0;
            for (var it = frames.iterator(); it.hasNext() && taken < 3; ) {
                StackWalker.StackFrame f = it.next();
                if (framework.test(f.getClassName())) {
                    continue;
                }
                if (site == null) {
                    site = siteOf(f);
                }
                // Line numbers are the expensive part of a frame: only the call site's is resolved.
                hash = 31 * hash
                        + f.getClassName().hashCode() * 17
                        + f.getMethodName().hashCode();
                taken++;
            }
            return new String[] {site, site == null ? null : Integer.toHexString(hash)};
        });
    }

    /**
     * Without value capture, each value is replaced by a short token of its hash: enough to tell
     * "the same values" from "other values", which is what tells a duplicate from an N+1.
     */
    private static List<Object> tokens(List<Object> values) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add("#" + Integer.toHexString(java.util.Objects.hashCode(v)));
        }
        return out;
    }

    private static List<Object> params(QueryInfo q) {
        List<Object> out = new ArrayList<>();
        for (List<ParameterSetOperation> set : q.getParametersList()) {
            List<ParameterSetOperation> ordered = new ArrayList<>(set);
            ordered.sort(java.util.Comparator.comparingInt(op -> op.getArgs()[0] instanceof Integer i ? i : 0));
            for (ParameterSetOperation op : ordered) {
                Object[] args = op.getArgs();
                out.add(op.getMethod().getName().equals("setNull") || args.length < 2 ? null : args[1]);
            }
            break; // a batch's first row stands for the statement
        }
        return out;
    }
}
