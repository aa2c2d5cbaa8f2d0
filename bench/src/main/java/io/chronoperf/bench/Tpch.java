package io.chronoperf.bench;

import io.chronoperf.advisor.index.IndexAdvisor;
import io.chronoperf.advisor.index.Workload;
import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.postgresql.PGConnection;

/**
 * TPC-H from io.trino.tpch (the generator and the 22 query texts): tables without keys or
 * indexes, loaded with COPY on two connections, then ANALYZE; q15's view created; the workload of
 * the 19 queries the index-selection literature uses (all but q2, q17 and q20).
 */
public final class Tpch {
    /** The queries left out: their unindexed costs dwarf the rest (Kossmann et al., VLDB 2020). */
    public static final List<Integer> LEFT_OUT = List.of(2, 17, 20);

    private Tpch() {}

    /** Drops and creates the eight tables and loads them at the scale factor. */
    public static void load(Supplier<Connection> connections, double scaleFactor, Consumer<String> progress)
            throws Exception {
        try (Connection c = connections.get();
                Statement s = c.createStatement()) {
            s.execute("DROP VIEW IF EXISTS revenue");
            for (TpchTable<?> t : TpchTable.getTables()) {
                s.execute("DROP TABLE IF EXISTS " + t.getTableName());
                s.execute(ddl(t));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (TpchTable<?> t : TpchTable.getTables()) {
                jobs.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    try (Connection c = connections.get()) {
                        long rows = copy(c, t, scaleFactor);
                        progress.accept(String.format(
                                Locale.ROOT,
                                "  %-9s %,12d rows in %.1f s",
                                t.getTableName(),
                                rows,
                                (System.nanoTime() - start) / 1e9));
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        try (Connection c = connections.get();
                Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE");
            s.execute(statements(15).get(0)); // q15's view
        }
    }

    private static String ddl(TpchTable<?> t) {
        List<String> cols = new ArrayList<>();
        for (TpchColumn<?> col : t.getColumns()) {
            String type = switch (col.getType().getBase()) {
                case IDENTIFIER, INTEGER -> "integer";
                case DATE -> "date";
                case DOUBLE -> "numeric(15,2)";
                case VARCHAR -> "varchar(" + col.getType().getPrecision().orElse(255L) + ")";
            };
            cols.add(col.getColumnName() + " " + type + " NOT NULL");
        }
        return "CREATE TABLE " + t.getTableName() + " (" + String.join(", ", cols) + ")";
    }

    private static <E extends TpchEntity> long copy(Connection c, TpchTable<E> t, double sf)
            throws SQLException, IOException {
        Iterable<E> rows = t.createGenerator(sf, 1, 1);
        long[] count = {0};
        StringBuilder batch = new StringBuilder(1 << 20);
        var copy = c.unwrap(PGConnection.class).getCopyAPI();
        var in = copy.copyIn("COPY " + t.getTableName() + " FROM STDIN WITH (FORMAT text, DELIMITER '|')");
        try {
            for (E e : rows) {
                String line = e.toLine();
                batch.append(line, 0, line.length() - 1).append('\n'); // toLine ends with a separator
                count[0]++;
                if (batch.length() > (1 << 20)) {
                    byte[] bytes = batch.toString().getBytes(StandardCharsets.UTF_8);
                    in.writeToCopy(bytes, 0, bytes.length);
                    batch.setLength(0);
                }
            }
            byte[] bytes = batch.toString().getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(bytes, 0, bytes.length);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
        return count[0];
    }

    /** The statements of query n as shipped (q15: the view, the query). */
    static List<String> statements(int n) throws IOException {
        try (InputStream in = Tpch.class.getResourceAsStream("/io/trino/tpch/queries/q" + n + ".sql")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Workload.fromText("q" + n, text).queries().stream()
                    .map(Workload.Query::sql)
                    .toList();
        }
    }

    /** The 19 queries, each of weight 1 (q15 without its view, which load created). */
    public static Workload workload() throws IOException {
        List<Workload.Query> out = new ArrayList<>();
        for (int n = 1; n <= 22; n++) {
            if (!LEFT_OUT.contains(n)) {
                List<String> s = statements(n);
                out.add(new Workload.Query("q" + n, s.get(s.size() - 1), 1));
            }
        }
        return new Workload("tpch", out);
    }

    /**
     * The workload's cost with and without the indexes, computed anew with HypoPG on a connection
     * of its own (none of the advisor's cached costs): {baseline, with the indexes}, each the sum
     * of the statements' EXPLAIN total costs times their weights.
     */
    public static double[] recostWithHypopg(Connection c, Workload w, List<IndexAdvisor.Recommendation> indexes)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT hypopg_reset()");
            double baseline = cost(s, w);
            for (IndexAdvisor.Recommendation r : indexes) {
                try (PreparedStatement ps = c.prepareStatement("SELECT * FROM hypopg_create_index(?)")) {
                    ps.setString(1, r.definition().createSql());
                    ps.execute();
                }
            }
            double with = cost(s, w);
            s.execute("SELECT hypopg_reset()");
            return new double[] {baseline, with};
        }
    }

    private static double cost(Statement s, Workload w) throws SQLException {
        double sum = 0;
        for (Workload.Query q : w.queries()) {
            try (ResultSet rs = s.executeQuery("EXPLAIN (FORMAT JSON) " + q.sql())) {
                rs.next();
                String json = rs.getString(1);
                int at = json.indexOf("\"Total Cost\": ") + "\"Total Cost\": ".length();
                int end = at;
                while (end < json.length() && (Character.isDigit(json.charAt(end)) || json.charAt(end) == '.')) {
                    end++;
                }
                sum += q.weight() * Double.parseDouble(json.substring(at, end));
            }
        }
        return sum;
    }
}
