package io.chronoperf.advisor.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoperf.advisor.index.IndexAdvisor;
import io.chronoperf.advisor.index.Workload;
import io.chronoperf.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16: without HypoPG, the analysis and the advisor built their what-if indexes on the
 * watched table inside a rolled-back transaction, and every writer of the table waited for the
 * build (one periodic analysis took 236 s). They now build on copies in a temporary schema; a
 * writer updating the table the whole time never waits a second.
 */
class WhatIfWithoutHypopgTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final int ROWS = 1_000_000;

    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong slowestWriteNanos = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    private Thread writer;

    @BeforeAll
    static void table() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id int PRIMARY KEY, code text NOT NULL, balance int NOT NULL)");
            // md5 text: an index build that takes a while on this table, as a real one does
            s.execute("INSERT INTO accounts SELECT g, md5(g::text), 0 FROM generate_series(1, " + ROWS + ") g");
            s.execute("VACUUM ANALYZE accounts");
        }
    }

    @BeforeEach
    void startWriter() throws InterruptedException {
        writing.set(true);
        writer = new Thread(() -> {
            try (Connection c = db.dataSource().getConnection();
                    PreparedStatement ps =
                            c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?")) {
                while (writing.get()) {
                    ps.setInt(1, 1 + ThreadLocalRandom.current().nextInt(ROWS));
                    long start = System.nanoTime();
                    ps.executeUpdate();
                    slowestWriteNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                    writes.incrementAndGet();
                }
            } catch (Throwable e) {
                writerFailure.set(e);
            }
        });
        writer.start();
        while (writes.get() < 10 && writer.isAlive()) {
            Thread.onSpinWait();
        }
        slowestWriteNanos.set(0); // the connection's first statements are not the what-if's doing
    }

    @AfterEach
    void stopWriter() throws InterruptedException {
        writing.set(false);
        writer.join();
    }

    @Test
    void the_analysis_finds_the_index_without_making_a_writer_wait() {
        QueryAnalyzer analyzer = TestAnalyzers.leastPrivilege(db);

        QueryAnalyzer.Analysis a = analyzer.analyze("SELECT id FROM accounts WHERE code = $1", List.of("x"), null);

        assertThat(a.missingIndexes()).singleElement().satisfies(ix -> {
            assertThat(ix.ddl()).contains("(\"code\")");
            assertThat(ix.method()).isEqualTo("copy");
        });
        assertNoWriterWaited();
    }

    @Test
    void the_advisor_finds_the_index_without_making_a_writer_wait() throws SQLException {
        IndexAdvisor advisor = new IndexAdvisor(IndexAdvisor.Options.DEFAULT, step -> {});
        try (Connection c = db.dataSource().getConnection()) {
            IndexAdvisor.Advice advice = advisor.advise(
                    c,
                    Workload.fromText(
                            "t",
                            "SELECT id FROM accounts WHERE code = 'c4ca4238a0b923820dcc509a6f75849b';"
                                    + " UPDATE accounts SET balance = balance + 1 WHERE id = 5"));

            assertThat(advice.method()).isEqualTo("copy");
            assertThat(advice.whatIfNote()).contains("CREATE EXTENSION hypopg");
            assertThat(advice.indexes())
                    .singleElement()
                    .satisfies(r -> assertThat(r.columns()).containsExactly("code"));
            try (Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT count(*) FROM pg_class WHERE relpersistence = 't'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the copies are dropped").isZero();
            }
        }
        assertNoWriterWaited();
    }

    private void assertNoWriterWaited() {
        assertThat(writerFailure.get()).isNull();
        assertThat(writes.get()).isGreaterThan(10);
        assertThat(slowestWriteNanos.get() / 1_000_000)
                .as("the slowest write while the what-if ran, in ms")
                .isLessThan(1_000);
    }
}
