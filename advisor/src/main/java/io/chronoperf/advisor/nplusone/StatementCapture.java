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
    private static final String START = "chrono-perf.start";
    private static final List<String> FRAMEWORK = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "jakarta.",
            "net.ttddyy.dsproxy.", "com.zaxxer.hikari.", "org.postgresql.", "org.springframework.", "org.apache.",
            "io.chronoperf.admin.internal.");
    private static final String SELF = StatementCapture.class.getName();
    private static final StackWalker WALKER = StackWalker.getInstance();

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
        return ProxyDataSourceBuilder.create(dataSource).name("chrono-perf-capture").listener(new Listener()).build();
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
    public record Recorded(String unit, List<TraceStatement> statements, int overflow) {
    }

    /** An open unit. */
    public final class Scope implements AutoCloseable {
        private final Unit unit;

        private Scope(Unit unit) {
            this.unit = unit;
        }

        /** The statements so far (empty for a nested scope). */
        public Recorded recorded() {
            return unit == null ? new Recorded("", List.of(), 0)
                    : new Recorded(unit.name, Collections.unmodifiableList(unit.statements), unit.overflow);
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
        int overflow;
        long seq;

        Unit(String name) {
            this.name = name;
        }
    }

    private final class Listener implements QueryExecutionListener {
        @Override
        public void beforeQuery(ExecutionInfo info, List<QueryInfo> queries) {
            if (current.get() != null) {
                info.addCustomValue(START, System.nanoTime());
            }
        }

        @Override
        public void afterQuery(ExecutionInfo info, List<QueryInfo> queries) {
            Unit unit = current.get();
            if (unit == null) {
                return;
            }
            Long start = info.getCustomValue(START, Long.class);
            double ms = start == null ? info.getElapsedTime() : (System.nanoTime() - start) / 1e6;
            Integer rows = info.getResult() instanceof Integer n ? n : null;
            String[] site = callSite();
            for (QueryInfo q : queries) {
                if (unit.statements.size() >= cap) {
                    unit.overflow++;
                    continue;
                }
                List<Object> values = params(q);
                unit.statements.add(new TraceStatement(unit.name, ++unit.seq, q.getQuery(),
                        captureParams ? values : tokens(values), ms / queries.size(), rows, site[0], site[1]));
            }
        }
    }

    /** The first application frame, and a hash of up to eight application frames. */
    private String[] callSite() {
        return WALKER.walk(frames -> {
            String site = null;
            int hash = 1;
            int taken = 0;
            for (var it = frames.iterator(); it.hasNext() && taken < 8; ) {
                StackWalker.StackFrame f = it.next();
                if (framework.test(f.getClassName())) {
                    continue;
                }
                if (site == null) {
                    site = f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber();
                }
                hash = 31 * hash + f.getClassName().hashCode() * 17 + f.getLineNumber();
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
